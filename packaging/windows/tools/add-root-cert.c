/* add-root-cert CERT.der: adds a certificate to the machine's Trusted Root
 * store (what Windows itself trusts), for tls-smoke.sh under wine, where no
 * certutil exists. Test tooling only: never shipped. */
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>
#include <wincrypt.h>

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: add-root-cert CERT.der\n");
        return 2;
    }
    FILE* file = fopen(argv[1], "rb");
    if (!file) {
        fprintf(stderr, "add-root-cert: cannot read %s\n", argv[1]);
        return 1;
    }
    static BYTE der[65536];
    const size_t size = fread(der, 1, sizeof der, file);
    fclose(file);
    HCERTSTORE store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
                                     CERT_SYSTEM_STORE_LOCAL_MACHINE, L"ROOT");
    if (!store) {
        fprintf(stderr, "add-root-cert: cannot open the ROOT store (%lu)\n", GetLastError());
        return 1;
    }
    const BOOL added = CertAddEncodedCertificateToStore(store, X509_ASN_ENCODING, der,
                                                        (DWORD)size, CERT_STORE_ADD_REPLACE_EXISTING,
                                                        NULL);
    CertCloseStore(store, 0);
    if (!added) {
        fprintf(stderr, "add-root-cert: not added (%lu)\n", GetLastError());
        return 1;
    }
    return 0;
}
