using System.Globalization;
using System.Text.RegularExpressions;
using Prometheus;
using TraceExporter.Kernel;

namespace TraceExporter.Metrics;

/// <summary>
/// The kernel's own accounting of the probes' BPF programs, as self-metrics: run time and runs per probe,
/// read at scrape time while <c>kernel.bpf_stats_enabled</c> is 1 (the kernel counts nothing otherwise, and
/// the series stay as they were, or absent when stats were never on).
/// <para>
/// The programs are those the running bpftrace process holds (<c>/proc/PID/fdinfo</c> of its <c>bpf-prog</c>
/// fds). Each is attributed through the perf event it is attached to (<see cref="BpfTaskFdQuery"/>): the
/// tracepoint or kprobe name is matched with the attach points in the probes' programs. A name used by one
/// probe is that probe's. A name used by several (<c>tcp_connects</c> and <c>tcp_accepts</c> both watch
/// <c>sock:inet_sock_set_state</c>) cannot be split between them: its programs are reported under one label
/// joining the probes' names with '+', in order (<c>probe="tcp_accepts+tcp_connects"</c>). Programs on
/// nothing a probe names (BEGIN, the interval printer) are not counted.
/// </para>
/// Values continue across bpftrace restarts: a new process's programs count from zero, and only increments are added.
/// </summary>
public sealed partial class BpfProgramStats
{
    private const string StatsSwitch = "sys/kernel/bpf_stats_enabled";
    private readonly Func<int?> _processId;
    private readonly Func<IEnumerable<(string Probe, string Program)>> _programs;
    private readonly string _procRoot;
    private readonly Counter _runSeconds;
    private readonly Counter _runs;
    private readonly Counter _misses;
    private readonly Dictionary<string, (ulong TimeNs, ulong Count, ulong Misses)> _lastSeen = new(StringComparer.Ordinal);
    private Dictionary<uint, string> _probeByProgramId = [];
    private int? _attributedProcess;

    /// <param name="processId">The bpftrace process running the probes, or null between processes.</param>
    /// <param name="programs">Each probe in that process, with its bpftrace program text.</param>
    /// <param name="procRoot">procfs, replaceable for tests.</param>
    public BpfProgramStats(CollectorRegistry registry, Func<int?> processId, Func<IEnumerable<(string Probe, string Program)>> programs, string procRoot = "/proc")
    {
        _processId = processId;
        _programs = programs;
        _procRoot = procRoot;
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _runSeconds = factory.CreateCounter(
            SelfMetricNames.ProbeRunSeconds,
            "Time the kernel spent running the probe's BPF programs (only while kernel.bpf_stats_enabled=1).",
            "probe");
        _misses = factory.CreateCounter(
            SelfMetricNames.ProbeMissedEvents,
            "Events the kernel did not hand to the probe's BPF programs because a BPF program was already running on that CPU (recursion protection): counts that are short by this much.",
            "probe");
        _runs = factory.CreateCounter(
            SelfMetricNames.ProbeRuns,
            "Runs of the probe's BPF programs, i.e. events it handled (only while kernel.bpf_stats_enabled=1).",
            "probe");
        registry.AddBeforeCollectCallback(Update);
    }

    /// <summary>Attach name (tracepoint or kernel function, without category) → the probe label its programs get.</summary>
    internal static Dictionary<string, string> LabelsByAttachName(IEnumerable<(string Probe, string Program)> programs)
    {
        var probes = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var (probe, program) in programs)
        {
            foreach (Match match in AttachPoint().Matches(program))
            {
                var name = match.Groups["name"].Value;
                if (!probes.TryGetValue(name, out var set))
                {
                    probes[name] = set = new SortedSet<string>(StringComparer.Ordinal);
                }

                set.Add(probe);
            }
        }

        return probes.ToDictionary(p => p.Key, p => string.Join('+', p.Value), StringComparer.Ordinal);
    }

    private void Update()
    {
        if (_processId() is not { } pid)
        {
            return;
        }

        var statsEnabled = StatsEnabled();

        try
        {
            if (_attributedProcess != pid)
            {
                _probeByProgramId = AttributePrograms(pid);
                _attributedProcess = pid;
                _lastSeen.Clear(); // a new process: its programs count from zero
            }

            var totals = new Dictionary<string, (ulong TimeNs, ulong Count, ulong Misses)>(StringComparer.Ordinal);
            foreach (var fd in ProgramFds(pid))
            {
                if (ReadFdInfo(pid, fd) is { } text && BpfProgramRun.TryParseFdInfo(text, out var run)
                    && _probeByProgramId.TryGetValue(run.ProgramId, out var probe))
                {
                    var (time, count, misses) = totals.GetValueOrDefault(probe);
                    totals[probe] = (time + run.RunTimeNs, count + run.RunCount, misses + run.RecursionMisses);
                }
            }

            foreach (var (probe, now) in totals)
            {
                var last = _lastSeen.GetValueOrDefault(probe);
                // Published from the first scrape, at 0: "nothing missed" is worth seeing.
                _misses.WithLabels(probe).Inc(now.Misses > last.Misses ? now.Misses - last.Misses : 0);

                if (statsEnabled && now.TimeNs > last.TimeNs)
                {
                    _runSeconds.WithLabels(probe).Inc((now.TimeNs - last.TimeNs) / 1e9);
                }

                if (statsEnabled && now.Count > last.Count)
                {
                    _runs.WithLabels(probe).Inc(now.Count - last.Count);
                }

                _lastSeen[probe] = now;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process ended while we read it: the next scrape sees the next one.
        }
    }

    private bool StatsEnabled()
    {
        try
        {
            return File.ReadAllText(Path.Combine(_procRoot, StatsSwitch)).Trim() == "1";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Program id → probe label, from the perf events (tracepoints, kprobes) and raw tracepoint links the process holds.</summary>
    private Dictionary<uint, string> AttributePrograms(int pid)
    {
        var probeByAttachName = LabelsByAttachName(_programs());
        var attribution = new Dictionary<uint, string>();
        foreach (var fd in FdsLinkingTo(pid, "anon_inode:[perf_event]", "anon_inode:bpf_link"))
        {
            if (BpfTaskFdQuery.TryQuery(pid, fd, out var programId, out var attachedTo)
                && probeByAttachName.TryGetValue(attachedTo, out var probe))
            {
                attribution[programId] = probe;
            }
        }

        return attribution;
    }

    private List<int> ProgramFds(int pid) => FdsLinkingTo(pid, "anon_inode:bpf-prog");

    /// <summary>The fds of <paramref name="pid"/> that link to any of <paramref name="targets"/>, from one listing of its fd folder.</summary>
    private List<int> FdsLinkingTo(int pid, params string[] targets)
    {
        var fds = new List<int>();
        foreach (var path in Directory.EnumerateFileSystemEntries(Path.Combine(_procRoot, pid.ToString(CultureInfo.InvariantCulture), "fd")))
        {
            if (int.TryParse(Path.GetFileName(path), NumberStyles.None, CultureInfo.InvariantCulture, out var fd)
                && new FileInfo(path).LinkTarget is { } target && targets.Contains(target))
            {
                fds.Add(fd);
            }
        }

        return fds;
    }

    private string? ReadFdInfo(int pid, int fd)
    {
        var path = Path.Combine(_procRoot, pid.ToString(CultureInfo.InvariantCulture), "fdinfo", fd.ToString(CultureInfo.InvariantCulture));
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    // tracepoint:CATEGORY:NAME, kprobe:NAME, kretprobe:NAME, rawtracepoint:[MODULE:]NAME; the kernel reports NAME alone.
    [GeneratedRegex(@"(?:^|[\s,])(?:tracepoint:[^:\s]+|kprobe|kretprobe|rawtracepoint(?::[A-Za-z0-9_]+(?=:))?):(?<name>[A-Za-z0-9_]+)", RegexOptions.Multiline)]
    private static partial Regex AttachPoint();
}
