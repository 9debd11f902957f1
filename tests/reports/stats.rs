//! `capturemock stats X.mock...`: exchanges by kind, repeated requests, size.

use crate::server::harness::*;

#[test]
fn stats_counts_exchanges_by_kind_repeated_requests_and_size() {
    let dir = scratch("stats");
    let text = "<-CAL:get(1)\n->RET:one\n\
<-CAL:get(1)\n->RET:one again\n\
<-CAL:get(1)\n->RET:and again\n\
<-CMD:git status\n->OUT:clean\n\
<-CMD:git status\n->OUT:clean\n\
<-CLI:GET /items?page=2\n--HEA:Accept=*/*\n->SRV:200 []\n\
<-CLI:hello server\n->SRV:hello client\n\
<-PYT:time.time()\n->RET:1.5\n\
<-XYZ:what\n";
    write(&dir, "mixed.mock", text);
    write(&dir, "empty.mock", "");
    let run = ours(&dir, &["stats", "mixed.mock", "empty.mock"]);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(run.stderr, "");
    assert_eq!(
        run.stdout,
        format!(
            "mixed.mock: 9 exchange(s), 17 entries, 18 lines, {} bytes\n\
             \x20 by kind:\n\
             \x20          3  custom client (CAL)\n\
             \x20          2  command line (CMD)\n\
             \x20          1  HTTP (CLI)\n\
             \x20          1  Python attribute (PYT)\n\
             \x20          1  client-server (CLI)\n\
             \x20          1  other\n\
             \x20 repeated requests: 2 recorded more than once (5 exchanges)\n\
             \x20          3x <-CAL:get(1)\n\
             \x20          2x <-CMD:git status\n\
             \x20 largest exchange: 54 bytes, line 11\n\
             empty.mock: 0 exchange(s), 0 entries, 0 lines, 0 bytes\n\
             \x20 repeated requests: 0 recorded more than once (0 exchanges)\n",
            text.len()
        )
    );
}

#[test]
fn stats_of_a_missing_or_broken_file_is_a_clear_error() {
    let dir = scratch("stats-errors");
    let run = ours(&dir, &["stats", "missing.mock"]);
    assert_eq!(run.status, Some(2));
    assert!(
        run.stderr
            .starts_with("capturemock: error: cannot read replay file missing.mock: "),
        "{}",
        run.stderr
    );
    write(&dir, "bad.mock", "not an entry\n<-CAL:a\n");
    let run = ours(&dir, &["stats", "bad.mock"]);
    assert_eq!(run.status, Some(2));
    assert!(run.stderr.contains("bad.mock:1: "), "{}", run.stderr);
}
