// audit-verify: checks an audit trail's hash chain and Ed25519 checkpoint signatures with only the
// public key. Exit status 0: intact; 1: broken (the first broken record is named); 2: usage/error.
//   audit-verify --conninfo "host=... dbname=..." --instance ID --public-key FILE [--from N] [--to M]
#include "AuditVerifier.hpp"

#include "hipaa/Errors.hpp"

#include <cstring>
#include <iostream>

using namespace hipaa;

int main(int argc, char** argv) {
    std::string conninfo, instance, keyFile;
    int64_t from = 1, to = INT64_MAX;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--conninfo") conninfo = v;
        else if (k == "--instance") instance = v;
        else if (k == "--public-key") keyFile = v;
        else if (k == "--from") from = std::stoll(v);
        else if (k == "--to") to = std::stoll(v);
        else {
            std::cerr << "unknown option " << k << "\n";
            return 2;
        }
    }
    if (conninfo.empty() || instance.empty() || keyFile.empty()) {
        std::cerr << "usage: audit-verify --conninfo CONNINFO --instance ID --public-key FILE [--from N] [--to M]\n";
        return 2;
    }
    try {
        Ed25519Verifier key = Ed25519Verifier::fromKeyFile(keyFile);
        PgConn::Options o;
        o.conninfo = conninfo;
        o.statementTimeoutMs = 600000;
        o.applicationName = "audit-verify";
        PgConn conn = PgConn::connect(o);
        auto result = audit::AuditVerifier::verify(conn, instance, key, from, to);
        JsonPtr out = result.toJson();
        jsonSet(out.get(), "instance_id", std::string_view(instance));
        jsonSet(out.get(), "key_id", std::string_view(key.keyId()));
        std::cout << jsonDump(out.get(), JSON_INDENT(2) | JSON_SORT_KEYS) << "\n";
        return result.ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "audit-verify: " << e.what() << "\n";
        return 2;
    }
}
