#!/usr/bin/env bash
# Prints a TCP port on 127.0.0.1 that is free right now (perl is part of every Debian system).
exec perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 1, ReuseAddr => 1) or die "no port: $!"; print $s->sockport, "\n";'
