#pragma once

#include <string>
#include <string_view>

namespace bridgecast::agenda {

// Who issues a command. kSystem is the node itself (presence from connections);
// it never comes from a client. The client roles mirror signaling::Role.
enum class Role { kChair, kOperator, kPoint, kObserver, kSystem };

constexpr std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kChair: return "chair";
    case Role::kOperator: return "operator";
    case Role::kPoint: return "point";
    case Role::kObserver: return "observer";
    case Role::kSystem: return "system";
  }
  return "unknown";
}

struct Actor {
  Role role = Role::kObserver;
  std::string point;  // only for Role::kPoint: the bridge point it acts for

  static Actor Chair() { return {Role::kChair, {}}; }
  static Actor Operator() { return {Role::kOperator, {}}; }
  static Actor Observer() { return {Role::kObserver, {}}; }
  static Actor System() { return {Role::kSystem, {}}; }
  static Actor Point(std::string id) { return {Role::kPoint, std::move(id)}; }
};

}  // namespace bridgecast::agenda
