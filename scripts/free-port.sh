#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Prints a TCP port on 127.0.0.1 that is free right now, picked at random below Linux' ephemeral
# range (32768-60999) so that outgoing connections of parallel tests cannot take it before the
# server binds it (perl is part of every Debian system).
exec perl -MIO::Socket::INET -e '
  for (1..256) {
    my $p = 20000 + int(rand(12000));
    my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $p, Listen => 1, ReuseAddr => 1) or next;
    print "$p\n"; exit 0;
  }
  die "no free port\n";'
