# Line-by-line text processing that survives CMake's list semantics.
#
# CMake lists split on ';', do not split inside '[...]' and treat '\;' as an escaped ';'. Source and Markdown
# text contains all of these, so before a text is turned into a list of lines the four characters '\', ';',
# '[' and ']' are replaced by control characters that never occur in text files, and each line is turned back
# with cep_decode_line() before use. Always expand a decoded line quoted: "${line}".
#
# Usable both from a project (include()) and from `cmake -P` scripts.
include_guard(GLOBAL)

string(ASCII 1 _CEP_TL_BACKSLASH)
string(ASCII 2 _CEP_TL_SEMICOLON)
string(ASCII 3 _CEP_TL_LBRACKET)
string(ASCII 4 _CEP_TL_RBRACKET)

# cep_split_lines(<out-list-var> <text>): one list element per line ('\r\n' and '\n' both end a line), empty
# lines kept. Elements are encoded: decode each with cep_decode_line().
function(cep_split_lines out_var text)
    string(REPLACE "\r\n" "\n" text "${text}")
    string(REPLACE "\\" "${_CEP_TL_BACKSLASH}" text "${text}")
    string(REPLACE ";" "${_CEP_TL_SEMICOLON}" text "${text}")
    string(REPLACE "[" "${_CEP_TL_LBRACKET}" text "${text}")
    string(REPLACE "]" "${_CEP_TL_RBRACKET}" text "${text}")
    # A final newline terminates the last line; it does not start an extra empty one.
    string(REGEX REPLACE "\n$" "" text "${text}")
    string(REPLACE "\n" ";" text "${text}")
    set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

# cep_decode_line(<var>): undo the encoding of cep_split_lines() in place.
macro(cep_decode_line _cep_tl_var)
    string(REPLACE "${_CEP_TL_BACKSLASH}" "\\" ${_cep_tl_var} "${${_cep_tl_var}}")
    string(REPLACE "${_CEP_TL_SEMICOLON}" ";" ${_cep_tl_var} "${${_cep_tl_var}}")
    string(REPLACE "${_CEP_TL_LBRACKET}" "[" ${_cep_tl_var} "${${_cep_tl_var}}")
    string(REPLACE "${_CEP_TL_RBRACKET}" "]" ${_cep_tl_var} "${${_cep_tl_var}}")
endmacro()

# cep_write_if_changed(<path> <content>): write only when the content differs, so that targets built from
# generated files are not rebuilt on every configure.
function(cep_write_if_changed path content)
    if(EXISTS "${path}")
        file(READ "${path}" old)
        if(old STREQUAL content)
            return()
        endif()
    endif()
    file(WRITE "${path}" "${content}")
endfunction()
