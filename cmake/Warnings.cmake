# Warnings are errors in our own code; third-party headers are included as system headers.
function(tzr_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Werror
    -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused
    -Woverloaded-virtual -Wnull-dereference -Wformat=2 -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 reports false positives inside Boost/Asio coroutine frames.
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized -Wno-null-dereference -Wno-mismatched-new-delete)
  endif()
endfunction()
