#include "client/ws_context.hpp"

#include <libwebsockets.h>

#include "client/ws_client.hpp"

namespace bridgecast::client {

Result<std::unique_ptr<WsContext>> WsContext::Create(GMainLoop* loop) {
  lws_context_creation_info info{};
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = detail::WsClientProtocols();
  info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_GLIB;
  void* loops[] = {loop};
  info.foreign_loops = loops;
  lws_context* context = lws_create_context(&info);
  if (!context) return Error{"ws_context", "cannot create the libwebsockets client context"};
  return std::unique_ptr<WsContext>(new WsContext(context));
}

WsContext::~WsContext() { lws_context_destroy(context_); }

}  // namespace bridgecast::client
