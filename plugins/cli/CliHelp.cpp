// SPDX-License-Identifier: GPL-3.0-or-later
#include "CliHelp.hpp"

#include <map>

namespace hipaa::cli {
namespace {

const char* const kGlobal = R"(
Options of every command:
  --secret-file FILE  the Janus admin secret (janus.jcfg general.admin_secret), one line in a file of
                      mode 0600/0400 owned by you or root, in folders only you or root can write
                      (default: $JANUS_HIPAA_SECRET_FILE, else /etc/janus/hipaa/admin_secret).
                      The secret is never taken from the command line.
  --admin-url URL     Janus' Admin API (default: $JANUS_HIPAA_ADMIN_URL, else
                      http://127.0.0.1:7088/admin); plain http only to loopback, https otherwise
  --timeout SECONDS   for the whole answer, 1-3600 (default 60)
  --json              print the plugins' answers as JSON (for scripts) instead of tables
Option of the commands that read or change PHI, keys, retention or holds (recordings, audit query
and export, fhir pending and retry, evidence; docs/access.md):
  --actor-token-file FILE  who asks: a one-time actor token (compact JWS from the clinic's identity
                      provider) in a file of mode 0600/0400, read afresh at every request and never
                      printed (default: $JANUS_HIPAA_ACTOR_TOKEN_FILE). Without one the plugins refuse
                      these requests (error 360) unless their general.development is true.
)";

const char* const kExit = R"(
Exit status: 0 ok; 1 the plugin refused (its error_code is printed); 2 usage; 3 no answer (secret
file refused, URL refused, Janus unreachable, wrong admin secret, plugin not loaded); 4 check-config
found an invalid config; 5 answered but not well (a plugin down or unhealthy, a verify that failed).
)";

const std::map<std::string, std::string>& commands() {
    static const std::map<std::string, std::string> kCommands{
        {"status", R"(usage: janus-hipaa status
The four janus-hipaa plugins in one table: loaded and running, version, and their numbers (room:
rooms, sessions, participants, revocations; recorder: active recordings, write failures, key version;
audit: health, storage, queue; FHIR: pending, failed, dead-lettered, sent bundles). Exit 5 when one is
not loaded, not running (its config) or not healthy.
)"},
        {"rooms", R"(usage: janus-hipaa rooms [list]
       janus-hipaa rooms info ROOM
       janus-hipaa rooms create [ROOM] [--class CLASS]
       janus-hipaa rooms destroy ROOM
list: every room (class, open or ended, admitted participants, waiting). info: one room's visit,
its participants as pseudonyms and roles (never names). create: a room of a configured class
(default "default"; ROOM default: a random r_...); prints only its id:  R=$(janus-hipaa rooms create)
destroy: ends the room's visit for everyone.
)"},
        {"revoke", R"(usage: janus-hipaa revoke --sub SUB [--jti JTI] [--ttl SECONDS]
       janus-hipaa revoke --jti JTI [--ttl SECONDS]
Ends the live sessions of a join token's subject (sub) or token id (jti) at once and refuses its
tokens for --ttl seconds (default: the room config's tokens.max_lifetime + tokens.skew; at most 366
days). A value of "-" is read from the first line of standard input, which keeps it out of the
process list and the shell history:  echo "$SUB" | janus-hipaa revoke --sub -
Revocations live in the room plugin's memory: re-issue them after a Janus restart.
)"},
        {"recordings", R"(usage: janus-hipaa recordings list
       janus-hipaa recordings status RECORDING
       janus-hipaa recordings hold|release RECORDING --reason TEXT
       janus-hipaa recordings delete RECORDING --reason TEXT --yes
       janus-hipaa recordings verify RECORDING
       janus-hipaa recordings export RECORDING
RECORDING is the recorder's 32-hex id. hold/release: legal hold (a held recording is never deleted).
delete: crypto-shreds the recording (irreversible, so it needs --yes) and prints the signed receipt.
verify: signed manifest, file hashes and every chunk; exit 5 when it does not verify. export:
decrypts to .mjr files in the recorder's export_dir (janus-pp-rec converts them). --reason is kept
by the recorder (events carry only its SHA-256): write a case or ticket number, never patient
details; "-" reads it from standard input.
)"},
        {"audit", R"(usage: janus-hipaa audit verify [--from SEQ] [--to SEQ] [--instance ID]
       janus-hipaa audit query [FILTERS]
       janus-hipaa audit export [FILTERS] [--format jsonl|fhir]
verify: the hash chain and signed checkpoints in PostgreSQL; exit 5 when broken (the first broken
record is named). query: a table of records; export: JSON lines (or a FHIR Bundle of AuditEvents)
on standard output. query and export need a compliance officer's actor token (--actor-token-file)
and are themselves written to the trail under that person's pseudonym.
FILTERS: --instance ID,
  --room ROOM, --actor PSEUDONYM, --action ACTION, --pseudonym-iss ISS --pseudonym-sub SUB (a person's
  records by their token's iss and sub; "-" reads a value from standard input), --from-time and
  --to-time (ISO 8601), --limit N (1-1000, default 100). Without --instance the records of every
  instance, oldest first; page with --cursor C (the answer's next_cursor); with --instance, one chain
  by seq, paged with --after-seq SEQ. verify without --instance checks every instance's chain.
)"},
        {"fhir", R"(usage: janus-hipaa fhir status
       janus-hipaa fhir pending [--state pending|dead|sent] [--limit N]
       janus-hipaa fhir retry ID | --all
status: the outbox (pending, failed, dead-lettered, sent) and this instance's counters. pending: the
bundles in a state (default pending; admin staff and support see counts and states only). retry:
moves a dead-lettered bundle (or all of them) back to pending, attempts reset (records officer).
pending and retry need an actor token (--actor-token-file).
)"},
        {"check-config", R"(usage: janus-hipaa check-config [--files] [--samples] DIR|FILE...
Validates janus-hipaa's configs offline with the plugins' own readers, without Janus, a database or
the network: janus.plugin.hipaa.{room,recorder}.jcfg, janus.eventhandler.hipaa.{audit,fhir}.jcfg and
janus.eventhandler.hipaa.audit.policy.jcfg in DIR (or the FILEs named). Checks the syntax, every key's
type and range, unknown keys (a typo is refused, as at Janus start) and how keys fit together, and
prints the file and the key that is wrong. --files also opens the files they name (key files by the
secret-file rules, the audit policy, the FHIR CA file) as the plugins do at start: run it as the user
Janus runs as (e.g. runuser -u janus -- janus-hipaa check-config --files /etc/janus). --samples
includes *.jcfg.sample. Exit 4 when a config is invalid or none is found. Needs no admin secret.
)"},
        {"metrics", R"(usage: janus-hipaa metrics [--listen HOST:PORT] [--allow-non-loopback]
Serves the four plugins' counters in Prometheus' text format on http://HOST:PORT/metrics (default
127.0.0.1:9464), asking the Admin API at every scrape (each request bounded by --timeout, default 5 s
here). Labels are fixed words, never PHI or pseudonyms; a plugin that does not answer shows as
janus_hipaa_up{plugin="..."} 0. Listens on loopback only unless --allow-non-loopback. Runs until
SIGINT/SIGTERM (exit 0). docs/metrics.md lists every metric.
)"},
        {"evidence", R"(usage: janus-hipaa evidence --out REPORT.html [--audit-conninfo CONNINFO] [--days N]
       [--key-max-age-days N] [--sample N] [--due-days N] [--actor-token-file FILE]
The compliance evidence report of this running deployment (docs/compliance.md): one self-contained
HTML file (no script, no external resource: it opens offline) and its JSON beside it (REPORT.json),
both mode 0600. Computed now: the plugins' versions and config digests (against their config.loaded
records), DTLS-SRTP and the FHIR endpoint's TLS, recordings by policy, holds, deletions due within
--due-days (30), --sample (5) sealed recordings and deletion receipts verified, the audit chain of
every instance with its checkpoints, failed accesses and lockouts per day and by reason and the
audit lag over --days (30), key files (mode, owner, age; rotation due after --key-max-age-days, 365),
the audit spool and the FHIR outbox. --audit-conninfo (default $JANUS_HIPAA_AUDIT_CONNINFO): a libpq
conninfo of a role that may read audit_record and audit_checkpoint (use passfile=, not password=).
recordings list and verify need an actor token of a role that sees every recording. A check that
cannot run is red with the reason, never a pass. Exit 0 when every check passed, 5 otherwise.
)"},
        {"version", R"(usage: janus-hipaa version
Prints this tool's version.
)"},
        {"help", R"(usage: janus-hipaa help [COMMAND]
)"},
    };
    return kCommands;
}

}  // namespace

std::string CliHelp::overview() {
    return std::string(R"(usage: janus-hipaa COMMAND [ARGS] [OPTIONS]
The admin tool for janus-hipaa (Janus' Admin API, on the Janus host).

Commands:
  status                     the four plugins: loaded, running, healthy, their numbers
  rooms [SUBCOMMAND]         list, info, create, destroy consult rooms
  revoke --sub S|--jti J     end a subject's or token's sessions and refuse its tokens
  recordings SUBCOMMAND      list, status, hold, release, delete, verify, export
  audit SUBCOMMAND           verify, query, export the audit trail
  fhir SUBCOMMAND            status, pending, retry the FHIR outbox
  check-config DIR|FILE...   validate the configs offline (no Janus, no secret)
  metrics                    serve the plugins' counters for Prometheus (loopback:9464)
  evidence --out FILE.html   the compliance evidence report (HTML and JSON), computed now
  version                    this tool's version
  help [COMMAND]             this text, or one command's
)") + kGlobal +
           kExit + "\nMore: docs/cli.md\n";
}

std::optional<std::string> CliHelp::command(const std::string& command) {
    auto it = commands().find(command);
    if (it == commands().end()) return std::nullopt;
    return it->second + kGlobal + kExit;
}

}  // namespace hipaa::cli
