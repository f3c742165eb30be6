#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0
#
# Create N rtpengine calls for the relay benchmark with offer/answer over
# the ng protocol, using NGCP::Rtpengine (the library rtpengine-ng-client
# is a command line around; one process instead of 2*N client runs).
#
#   rtpengine-calls.pl NG_PORT FIRST N GEN_IP SPORT SINK_IP DPORT STEP FLOWFILE
#
# Creates calls FIRST to N-1 (FLOWFILE is appended to when FIRST > 0).
# Call i: the caller (generator side, interface "gen") offers
# GEN_IP:(SPORT+i*STEP), the callee (sink side, interface "sink") answers
# SINK_IP:(DPORT+i*STEP).  FLOWFILE gets one line per call: the caller's
# port and the rtpengine port the caller must send to (from the SDP
# rtpengine gave the caller), as rtp_gen -f reads them.
use strict;
use warnings;
use NGCP::Rtpengine;

@ARGV == 9 or die "usage: $0 NG_PORT FIRST N GEN_IP SPORT SINK_IP DPORT STEP FLOWFILE\n";
my ($ngport, $first, $n, $gen, $sport, $sink, $dport, $step, $file) = @ARGV;

my $ng = NGCP::Rtpengine->new('127.0.0.1', $ngport);

sub sdp {
	my ($ip, $port) = @_;
	return "v=0\r\no=- 1 1 IN IP4 $ip\r\ns=bench\r\nc=IN IP4 $ip\r\n" .
		"t=0 0\r\nm=audio $port RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n" .
		"a=sendrecv\r\n";
}

sub media_port {
	my ($resp) = @_;
	$resp->{sdp} =~ /^m=audio (\d+) /m or die "no m=audio in reply SDP\n";
	return $1;
}

open(my $out, $first ? '>>' : '>', $file) or die "$file: $!\n";
for my $i ($first .. $n - 1) {
	my $sp = $sport + $i * $step;
	my $dp = $dport + $i * $step;
	my %call = ('call-id' => "bench-$i", 'from-tag' => "gen-$i");
	my $o = $ng->offer({ %call, sdp => sdp($gen, $sp),
			     direction => [ 'gen', 'sink' ] });
	media_port($o);
	my $a = $ng->answer({ %call, 'to-tag' => "sink-$i",
			      sdp => sdp($sink, $dp) });
	print $out "$sp " . media_port($a) . "\n";
}
close($out) or die "$file: $!\n";
