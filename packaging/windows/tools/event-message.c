/* event-message MODULE ID [INSERT]: formats message ID from MODULE's message
 * table with INSERT as %1, the way Event Viewer shows an event of a source
 * whose EventMessageFile is MODULE. For eventlog-smoke.sh under wine, which has
 * no Event Viewer. Prints the text, or why there is none. Test tooling only:
 * never shipped. */
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

int main(int argc, char** argv) {
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: event-message MODULE ID [INSERT]\n");
        return 2;
    }
    HMODULE module = LoadLibraryExA(argv[1], NULL, LOAD_LIBRARY_AS_DATAFILE);
    if (!module) {
        fprintf(stderr, "event-message: cannot load %s (error %lu)\n", argv[1], GetLastError());
        return 1;
    }
    const DWORD id = (DWORD)strtoul(argv[2], NULL, 0);
    DWORD_PTR inserts[1] = {(DWORD_PTR)(argc == 4 ? argv[3] : "")};
    char* text = NULL;
    const DWORD length =
        FormatMessageA(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ALLOCATE_BUFFER |
                           FORMAT_MESSAGE_ARGUMENT_ARRAY,
                       module, id, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), (LPSTR)&text, 0,
                       (va_list*)inserts);
    if (length == 0) {
        fprintf(stderr, "event-message: no message %s in %s (error %lu)\n", argv[2], argv[1],
                GetLastError());
        FreeLibrary(module);
        return 1;
    }
    fputs(text, stdout);
    LocalFree(text);
    FreeLibrary(module);
    return 0;
}
