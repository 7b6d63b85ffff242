#!/usr/bin/env bash
# The kernel-side gap of issue 11: when the kernel counts a retransmission or an nft drop that the tracepoints'
# BPF programs did not see. Each run: a 2 MB transfer (tcpload bulk) through 30 % loss both ways in a fresh
# namespace, for 10 s, then without loss to the end, as RetransmitsAndDropsTests does; beside it a bpftrace of its
# own (classic tracepoints) sums what the tracepoints report. Per run one line: the kernel's TcpRetransSegs
# against the segments of tcp_retransmit_skb plus tcp_retransmit_synack (and TcpExtTCPSynRetrans against the
# SYNs and SYN-ACKs among them), and nft's counters against skb:kfree_skb NETFILTER_DROP, both split by
# direction (dd: to the server, ds: to the client) and class (1 SYN/FIN/RST, 2 data, 3 pure ACK); the
# recursion misses of the bpftrace's programs (events the kernel did not run them for, summed over its
# programs); the packets nft's input hook saw in the whole run (a table of its own that only counts) against
# those net:netif_receive_skb and net:net_dev_queue reported. Verdict: "exact", "missed" when the kernel's
# numbers are higher and the programs counted misses (the known cause: a classic tracepoint firing while the
# CPU's bpf_prog_active guard is held, by another BPF program or a BPF map syscall, skips its programs and
# counts a miss for each), "GAP" when they are higher with no miss (unexplained).
#
# --storm runs bench/map-storm.py on every CPU during the lossy phase: BPF map syscalls without pause, which
# hold that guard, so the skips become frequent (python3 needed).
#
# Usage (root): bench/retransmit-gap.sh [--runs N] [--bpftrace PATH] [--storm]
set -euo pipefail
cd "$(dirname "$0")/.."

runs=10
bpftrace=bpftrace
storm=""
while (($#)); do
  case "$1" in
    --runs) runs="$2"; shift ;;
    --bpftrace) bpftrace="$2"; shift ;;
    --storm) storm=1 ;;
    *) echo "usage: $0 [--runs N] [--bpftrace PATH] [--storm]" >&2; exit 2 ;;
  esac
  shift
done

script=retransmit-gap.sh
work_prefix=te-gap
ns_prefix=te-gap
daemon_path=none
# shellcheck source=bench/common.sh
. bench/common.sh
bench_setup "$bpftrace" bpftool ip nft nstat cc ${storm:+python3}

# struct sk_buff's cb (tcp_skb_cb: tcp_gso_segs at +8, tcp_flags at +12), from the kernel's BTF.
# (awk reads to the end: an early exit would end bpftool with SIGPIPE.)
cb=$(bpftool btf dump file /sys/kernel/btf/vmlinux format raw | awk '/STRUCT .sk_buff. / && !done {f = 1} f && /.cb. type_id/ {gsub(/bits_offset=/, ""); print $NF / 8; f = 0; done = 1}')
[ -n "$cb" ] || { echo "$script: no sk_buff.cb in the kernel's BTF" >&2; exit 1; }

for ((run = 1; run <= runs; run++)); do
  ip netns del "$ns" 2>/dev/null || true
  ip netns add "$ns"; ip -n "$ns" link set lo up; ip -n "$ns" link set lo mtu 1500
  ip netns exec "$ns" sysctl -qw net.ipv4.tcp_rto_max_ms=1000 net.ipv4.tcp_retries2=60
  inum=$(ip netns exec "$ns" readlink /proc/self/ns/net | tr -dc 0-9)
  port=$((29000 + RANDOM % 1000))
  cat >"$work/tally.bt" <<BT
tracepoint:tcp:tcp_retransmit_skb /((struct sock *)args->skaddr)->__sk_common.skc_net.net->ns.inum == $inum/ {
  @retransmitted[((struct sock *)args->skaddr)->__sk_common.skc_num == $port ? 1 : 2] = sum(*(uint16 *)((uint64)args->skbaddr + $cb + 8));
  if ((*(uint8 *)((uint64)args->skbaddr + $cb + 12) & 2) != 0) { @syn = count(); }
}
tracepoint:tcp:tcp_retransmit_synack /((struct request_sock *)args->req)->__req_common.skc_net.net->ns.inum == $inum/ { @synack = count(); @syn = count(); }
tracepoint:skb:kfree_skb /args->reason == 12 && ((struct sk_buff *)args->skbaddr)->dev != 0 && ((struct sk_buff *)args->skbaddr)->dev->nd_net.net->ns.inum == $inum/ {
  \$s = (struct sk_buff *)args->skbaddr;
  \$th = \$s->head + \$s->transport_header;
  \$length = (*(uint8 *)(\$s->head + \$s->network_header + 2) << 8) | *(uint8 *)(\$s->head + \$s->network_header + 3);
  \$class = (*(uint8 *)(\$th + 13) & 7) != 0 ? 1 : (\$length > 100 ? 2 : 3);
  @dropped[((*(uint8 *)(\$th + 2) << 8) | *(uint8 *)(\$th + 3)) == $port ? 1 : 2, \$class] = count();
}
tracepoint:net:netif_receive_skb /((struct sk_buff *)args->skbaddr)->dev->nd_net.net->ns.inum == $inum/ { @received = count(); }
tracepoint:net:net_dev_queue /((struct sk_buff *)args->skbaddr)->dev->nd_net.net->ns.inum == $inum/ { @queued = count(); }
BEGIN { printf("ready\n"); }
BT
  "$bpftrace" "$work/tally.bt" >"$work/tally.out" 2>&1 &
  tally=$!
  pids+=("$tally")
  for ((i = 0; i < 100; i++)); do grep -q ready "$work/tally.out" && break; sleep 0.2; done
  counters() { ip netns exec "$ns" nstat -az TcpRetransSegs TcpExtTCPSynRetrans | awk '{printf "%s ", $2}'; }
  read -r retrans_before syn_before <<<"$(counters)"
  ip netns exec "$ns" nft -f - <<NFT
table inet te_gap_seen {
  chain input {
    type filter hook input priority -10;
    counter
  }
}
table inet te_gap {
  chain input {
    type filter hook input priority 0;
    tcp dport $port numgen random mod 10 < 3 jump dd
    tcp sport $port numgen random mod 10 < 3 jump ds
  }
  chain dd {
    tcp flags & (syn | fin | rst) != 0 counter drop
    ip length > 100 counter drop
    counter drop
  }
  chain ds {
    tcp flags & (syn | fin | rst) != 0 counter drop
    ip length > 100 counter drop
    counter drop
  }
}
NFT
  ip netns exec "$ns" "$work/tcpload" bulk "$port" 2 120 >/dev/null &
  load=$!
  if [ -n "$storm" ]; then
    for ((c = 0; c < $(nproc); c++)); do python3 bench/map-storm.py 10 >/dev/null & pids+=("$!"); done
  fi
  sleep 10
  # The jumps to the dropping chains go first (one transaction), so the counters are final when they are read.
  ip netns exec "$ns" nft flush chain inet te_gap input
  nft_counts=$(ip netns exec "$ns" nft list table inet te_gap | awk '/chain d[ds]/ {c = $2; n = 0} /packets/ {for (i = 1; i <= NF; i++) if ($i == "packets") printf "%s,%d:%s ", c, ++n, $(i + 1)}')
  ip netns exec "$ns" nft delete table inet te_gap
  wait "$load" || true
  for ((i = 0; i < 180; i++)); do
    [ "$(ip netns exec "$ns" ss -tanH | grep -vc -e LISTEN -e TIME-WAIT)" = 0 ] && break
    sleep 0.5
  done
  read -r retrans_after syn_after <<<"$(counters)"
  seen=$(ip netns exec "$ns" nft list table inet te_gap_seen | awk '/packets/ {for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1)}')
  retrans=$((retrans_after - retrans_before)) syn=$((syn_after - syn_before))
  sleep 1
  misses=$(grep -h recursion_misses /proc/"$tally"/fdinfo/* 2>/dev/null | awk '{s += $2} END {print s + 0}')
  kill -INT "$tally"; wait "$tally" || true
  traced=$(awk '/^@retransmitted|^@synack/ {s += $NF} END {print s + 0}' "$work/tally.out")
  traced_syn=$(awk '/^@syn:/ {print $NF}' "$work/tally.out"); traced_syn=${traced_syn:-0}
  # Direction 1 is to the server (dd), 2 to the client (ds): numbers, as string keys would not sum as one.
  drops=$(grep '^@dropped' "$work/tally.out" | sed 's/@dropped\[1, /dd,/; s/@dropped\[2, /ds,/; s/\]: /:/' | sort | tr '\n' ' ')
  nft_total=$(echo "$nft_counts" | tr ' ' '\n' | awk -F: '{s += $2} END {print s + 0}')
  drop_total=$(echo "$drops" | tr ' ' '\n' | awk -F: '{s += $2} END {print s + 0}')
  received=$(awk '/^@received:/ {print $NF}' "$work/tally.out"); received=${received:-0}
  queued=$(awk '/^@queued:/ {print $NF}' "$work/tally.out"); queued=${queued:-0}
  verdict=exact
  if [ "$retrans" -gt "$traced" ] || [ "$nft_total" -gt "$drop_total" ] || [ "$seen" -gt "$received" ]; then
    verdict=GAP
    [ "$misses" -gt 0 ] && verdict=missed
  fi
  echo "run $run: $verdict retransmitted kernel $retrans traced $traced (SYN and SYN-ACK: kernel $syn traced $traced_syn); dropped nft [$nft_counts] traced [$drops]; packets at input $seen, received $received, queued $queued; recursion misses $misses"
done
