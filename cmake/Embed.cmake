# Embeds files into the binary so the node runs from any directory with no
# installed data: the reference conference and the web pages.
#
# bridgecast_embed(TARGET name BASE dir FILES f1 f2 ...) creates a static library
# implementing base/embedded.hpp. One such target per binary.
set(BRIDGECAST_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/EmbedScript.cmake)

function(bridgecast_embed)
  cmake_parse_arguments(E "" "TARGET;BASE" "FILES" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${E_TARGET}.cpp)
  set(abs_files)
  foreach(f IN LISTS E_FILES)
    list(APPEND abs_files ${E_BASE}/${f})
  endforeach()
  string(REPLACE ";" "|" joined "${E_FILES}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DBASE=${E_BASE} "-DFILES=${joined}" -DOUT=${out}
            -P ${BRIDGECAST_EMBED_SCRIPT}
    DEPENDS ${abs_files} ${BRIDGECAST_EMBED_SCRIPT}
    COMMENT "Embedding ${E_TARGET}"
    VERBATIM)
  add_library(${E_TARGET} STATIC ${out})
  target_link_libraries(${E_TARGET} PUBLIC bridgecast_base)
endfunction()
