using System.Globalization;
using TraceExporter.Configuration;
using TraceExporter.Kernel;
using TraceExporter.Probes.Builtin;
using TraceExporter.Metrics;

namespace TraceExporter.Probes;

/// <summary>
/// Configuration + facts about this host and its bpftrace → the groups of probes to run. Pure: no process is
/// started, nothing is written; the same configuration on the same host gives groups of the same identity.
/// </summary>
public static class ProbePlanner
{
    public const string BuiltinGroup = "builtin";

    /// <summary>bpftrace 0.23 reports failed map updates by default; before it, only with <c>-k</c>.</summary>
    private static readonly Version HelperErrorsByDefault = new(0, 23);

    /// <summary>bpftrace 0.20 renamed BPFTRACE_MAP_KEYS_MAX to BPFTRACE_MAX_MAP_KEYS (and ignores the old name from 0.24).</summary>
    private static readonly Version MaxMapKeysRenamed = new(0, 20);

    public static ProbePlans Plan(ExporterConfig config, HostFacts host, Version bpftrace)
    {
        var groups = new List<GroupPlan>();
        var unavailable = new List<ProbeState>();
        var settings = config.Bpftrace;

        // Raw tracepoints are found at start; a reload that sets bpftrace.attach to 'tracepoint' is obeyed at once.
        var programHost = settings.Attach == BuiltinAttach.Tracepoint && host.RawTracepoints.Count > 0
            ? host.WithRawTracepoints(new HashSet<string>(StringComparer.Ordinal), RawTracepoints.ConfiguredClassic)
            : host;
        var builtins = new List<ProbePlan>();
        foreach (var probe in config.Builtins.Where(b => b.Enabled))
        {
            try
            {
                builtins.Add(new ProbePlan
                {
                    Name = probe.Name,
                    Source = ProbePlan.BuiltinSource,
                    Blocks = BuiltinPrograms.For(probe, programHost),
                    Metrics = [BuiltinCatalogue.Metric(probe)],
                });
            }
            catch (ProbeUnavailableException e)
            {
                unavailable.Add(new ProbeState(probe.Name, ProbePlan.BuiltinSource, ProbeStatus.Failed, e.Message));
            }
        }

        if (builtins.Count > 0)
        {
            groups.Add(Group(BuiltinGroup, builtins, config.Interval, settings, settings.BufferPages, settings.MaxMapKeys, bpftrace));
        }

        foreach (var probe in config.Probes)
        {
            string program;
            try
            {
                if (host.Cgroup2 is null && probe.Metrics.Any(m => m.Labels.Any(l => l.Kind == LabelKind.Cgroup)))
                {
                    throw new ProbeUnavailableException("no cgroup v2 hierarchy is mounted here (/proc/self/mountinfo), so its cgroup key parts cannot be named");
                }

                program = ProgramTemplate.Resolve(probe.Program, host);
            }
            catch (ProbeUnavailableException e)
            {
                unavailable.Add(new ProbeState(probe.Name, ProbePlan.UserSource, ProbeStatus.Failed, e.Message));
                continue;
            }

            var plan = new ProbePlan
            {
                Name = probe.Name,
                Source = ProbePlan.UserSource,
                Program = program,
                Metrics = probe.Metrics,
                Lines = probe.Lines,
            };
            groups.Add(Group(probe.Name, [plan], probe.Interval ?? config.Interval, settings, probe.BufferPages, probe.MaxMapKeys ?? settings.MaxMapKeys, bpftrace));
        }

        return new ProbePlans(groups, unavailable);
    }

    private static GroupPlan Group(string name, IReadOnlyList<ProbePlan> members, TimeSpan interval, BpftraceSettings settings, int? bufferPages, int maxMapKeys, Version bpftrace)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [bpftrace < MaxMapKeysRenamed ? "BPFTRACE_MAP_KEYS_MAX" : "BPFTRACE_MAX_MAP_KEYS"] = maxMapKeys.ToString(CultureInfo.InvariantCulture),
        };
        if (bufferPages is { } pages)
        {
            // bpftrace reads the buffer size from the environment in every version (the config block only from 0.20).
            environment["BPFTRACE_PERF_RB_PAGES"] = pages.ToString(CultureInfo.InvariantCulture);
        }

        string[] arguments = bpftrace < HelperErrorsByDefault ? [BpftraceGroup.HelperChecks] : [];
        var identity = string.Join('\n', [
            settings.Path, interval.ToString(), settings.RestartDelay.ToString(), settings.RestartDelayMax.ToString(),
            .. environment.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}"), .. arguments,
            .. members.Select(Identity)]);
        return new GroupPlan
        {
            Name = name,
            Members = members,
            Interval = interval,
            BpftracePath = settings.Path,
            Environment = environment,
            Arguments = arguments,
            MaxMapKeys = maxMapKeys,
            Backoff = new RestartBackoff(settings.RestartDelay, settings.RestartDelayMax),
            Identity = identity,
        };
    }

    /// <summary>Everything about a probe that changes what runs or what is exported: equal text, equal probe.</summary>
    private static string Identity(ProbePlan probe) => string.Join('\n', [
        probe.Name, probe.Text,
        .. probe.Metrics.Select(m => string.Join('|', m.Map, m.Name, m.Help, m.Type, m.Scale.ToString("R", CultureInfo.InvariantCulture), m.SumMap, m.Update, m.SeriesLimit, m.SeriesTtl,
            string.Join(',', m.Labels.Select(l => $"{string.Join('+', l.Names)}:{l.Kind}")))),
        .. probe.Lines.Select(l => string.Join('|', l.Pattern.ToString(), l.Name, l.Help, l.SeriesLimit, l.SeriesTtl)),
    ]);
}
