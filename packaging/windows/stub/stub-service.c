/* A stand-in for lojald.exe in the .msi smoke test that needs no dependency
 * prefix (CI runs it on every run): a Windows service named like lojald that
 * answers GET /v1/health on 127.0.0.1:8470 with {"status":"ok","stub":true,
 * "version":"VERSION"}, so the installer's service registration, start,
 * upgrade, stop and removal can be checked under wine. Plain Win32 and Winsock.
 */
#define WIN32_LEAN_AND_MEAN
#include <stdio.h>
#include <string.h>
#include <windows.h>
#include <winsock2.h>

#ifndef STUB_VERSION
#define STUB_VERSION "0.0.0"
#endif

static SERVICE_STATUS_HANDLE status_handle;
static SERVICE_STATUS status;
static volatile LONG stopping;
static SOCKET listener = INVALID_SOCKET;

static void report(DWORD state) {
    status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    status.dwCurrentState = state;
    status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
    status.dwWin32ExitCode = NO_ERROR;
    status.dwWaitHint = state == SERVICE_RUNNING ? 0 : 5000;
    SetServiceStatus(status_handle, &status);
}

static DWORD WINAPI control(DWORD code, DWORD type, LPVOID data, LPVOID context) {
    (void)type;
    (void)data;
    (void)context;
    if (code == SERVICE_CONTROL_STOP || code == SERVICE_CONTROL_SHUTDOWN) {
        InterlockedExchange(&stopping, 1);
        report(SERVICE_STOP_PENDING);
        closesocket(listener); /* wakes accept() */
        return NO_ERROR;
    }
    return code == SERVICE_CONTROL_INTERROGATE ? NO_ERROR : ERROR_CALL_NOT_IMPLEMENTED;
}

static void answer(SOCKET client) {
    char request[2048];
    int got = recv(client, request, sizeof request - 1, 0);
    if (got <= 0) return;
    request[got] = '\0';
    const char* body = strncmp(request, "GET /v1/health ", 15) == 0
                           ? "{\"status\":\"ok\",\"stub\":true,\"version\":\"" STUB_VERSION "\"}"
                           : "{\"error\":{\"code\":\"not_found\"}}";
    const int ok = body[2] == 's';
    char reply[512];
    int length = snprintf(reply, sizeof reply,
                          "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %u\r\n"
                          "Connection: close\r\n\r\n%s",
                          ok ? "200 OK" : "404 Not Found", (unsigned)strlen(body), body);
    send(client, reply, length, 0);
}

static void serve(void) {
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) return;
    listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons(8470);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr*)&address, sizeof address) != 0 || listen(listener, 16) != 0)
        return;
    while (!stopping) {
        SOCKET client = accept(listener, NULL, NULL);
        if (client == INVALID_SOCKET) break;
        answer(client);
        closesocket(client);
    }
    WSACleanup();
}

static void WINAPI service_main(DWORD argc, LPSTR* argv) {
    (void)argc;
    (void)argv;
    status_handle = RegisterServiceCtrlHandlerExA("lojald", control, NULL);
    if (!status_handle) return;
    report(SERVICE_RUNNING);
    serve();
    report(SERVICE_STOPPED);
}

int main(int argc, char** argv) {
    if (argc > 1 && strcmp(argv[1], "--foreground") == 0) {
        serve();
        return 0;
    }
    SERVICE_TABLE_ENTRYA table[] = {{(LPSTR) "lojald", service_main}, {NULL, NULL}};
    return StartServiceCtrlDispatcherA(table) ? 0 : 1;
}
