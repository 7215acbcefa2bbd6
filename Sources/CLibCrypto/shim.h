// OpenSSL's libcrypto (Debian libssl-dev), wrapped only by the Digests module: its one-shot EVP digest gives the
// SHA-256 that model manifests record for an imported file. Nothing needs shimming.
#pragma once
#include <openssl/err.h>
#include <openssl/evp.h>
