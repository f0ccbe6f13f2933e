/* What loading liblojal and opening one client adds to a host process's
 * resident memory (goal < 4 MB): VmRSS before dlopen, after it, and once the
 * client's event stream is online. A C host that links nothing of Lojal's; with
 * HOST_LIBRARY (e.g. libstdc++.so.6) it first loads what a C++, .NET or Java
 * host has loaded anyway.
 *   pos-rss-bench LIBRARY URL TOKEN [HOST_LIBRARY] */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A field of /proc/self/smaps_rollup in KiB: Rss, or Private_Dirty (the part
 * no other process can share: file pages of Poco and libstdc++ are shared with
 * lojald and every other process that maps them). */
static long field_kib(const char* name) {
    FILE* rollup = fopen("/proc/self/smaps_rollup", "r");
    char line[256];
    long kib = -1;
    size_t length = strlen(name);
    while (rollup && fgets(line, sizeof line, rollup))
        if (strncmp(line, name, length) == 0 && line[length] == ':') kib = atol(line + length + 1);
    if (rollup) fclose(rollup);
    return kib;
}

typedef int (*client_new_fn)(const char*, const char*, void**);
typedef int (*event_next_fn)(void*, int, uint64_t*, char**);
typedef void (*free_fn)(void*);

int main(int argc, char** argv) {
    long before, loaded, online, private_before, private_online;
    void* lib;
    void* client = NULL;
    char* json = NULL;
    uint64_t seq = 0;
    int connected = 0;
    if (argc != 4 && argc != 5)
        return fprintf(stderr, "usage: pos-rss-bench LIBRARY URL TOKEN [HOST_LIBRARY]\n"), 2;
    if (argc == 5 && !dlopen(argv[4], RTLD_NOW | RTLD_GLOBAL))
        return fprintf(stderr, "%s\n", dlerror()), 1;
    before = field_kib("Rss");
    private_before = field_kib("Private_Dirty");
    lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) return fprintf(stderr, "%s\n", dlerror()), 1;
    loaded = field_kib("Rss");
    {
        client_new_fn client_new = (client_new_fn)(uintptr_t)dlsym(lib, "lojal_client_new");
        event_next_fn event_next = (event_next_fn)(uintptr_t)dlsym(lib, "lojal_event_next");
        free_fn lojal_free = (free_fn)(uintptr_t)dlsym(lib, "lojal_free");
        free_fn client_free = (free_fn)(uintptr_t)dlsym(lib, "lojal_client_free");
        if (client_new(argv[2], argv[3], &client) != 0) return 1;
        while (!connected && event_next(client, 5000, &seq, &json) == 0) {
            connected = strstr(json, "\"online\"") != NULL;
            lojal_free(json);
        }
        online = field_kib("Rss");
        private_online = field_kib("Private_Dirty");
        client_free(client);
    }
    if (!connected) return fprintf(stderr, "the client never came online\n"), 1;
    printf(
        "%s host RSS: %ld KiB before; +%ld KiB after dlopen(liblojal); +%ld KiB with one client "
        "online (goal < 4096 KiB); of that, private (not shared with other processes): "
        "+%ld KiB\n",
        argc == 5 ? "C++" : "C", before, loaded - before, online - before,
        private_online - private_before);
    return 0;
}
