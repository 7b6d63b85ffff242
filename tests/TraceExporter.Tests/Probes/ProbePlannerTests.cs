using TraceExporter.Configuration;
using TraceExporter.Kernel;
using TraceExporter.Metrics;
using TraceExporter.Probes;

namespace TraceExporter.Tests.Probes;

/// <summary>Planning is a pure function of configuration and host facts: tested without a kernel.</summary>
public sealed class ProbePlannerTests
{
    private static readonly HostFacts NoKernel = HostFacts.Discover("/nonexistent/tracefs", "/nonexistent/btf", "/nonexistent/range");

    private const string Yaml = """
        interval: 2s
        bpftrace: { max_map_keys: 5000, buffer_pages: 32 }
        probes:
          - name: one
            program: 'k { @m[pid] = count(); }'
            metrics: [{ map: "@m", name: one_total, help: h }]
          - name: two
            max_map_keys: 70
            interval: 1s
            program: 'k { @m[pid] = count(); }'
            metrics: [{ map: "@m", name: two_total, help: h }]
        """;

    [Fact]
    public void Each_user_probe_is_a_group_of_its_own_with_its_map_size_and_interval()
    {
        var plans = ProbePlanner.Plan(ConfigLoader.Parse(Yaml, "p.yaml"), NoKernel, new Version(0, 17, 0));

        var one = plans.Groups.Single(g => g.Name == "one");
        var two = plans.Groups.Single(g => g.Name == "two");
        Assert.Equal((5000, TimeSpan.FromSeconds(2)), (one.MaxMapKeys, one.Interval));
        Assert.Equal((70, TimeSpan.FromSeconds(1)), (two.MaxMapKeys, two.Interval));
        Assert.False(one.Environment.ContainsKey("BPFTRACE_PERF_RB_PAGES")); // bpftrace.buffer_pages is the built-ins'; a user probe sets its own
        Assert.Equal(ProbePlan.UserSource, Assert.Single(one.Members).Source);
    }

    [Theory]
    [InlineData("0.17.0", "BPFTRACE_MAP_KEYS_MAX", true)]
    [InlineData("0.19.1", "BPFTRACE_MAP_KEYS_MAX", true)]
    [InlineData("0.20.2", "BPFTRACE_MAX_MAP_KEYS", true)]
    [InlineData("0.22.1", "BPFTRACE_MAX_MAP_KEYS", true)]
    [InlineData("0.23.2", "BPFTRACE_MAX_MAP_KEYS", false)]
    [InlineData("0.27.1", "BPFTRACE_MAX_MAP_KEYS", false)]
    public void The_map_size_goes_by_the_name_the_version_reads_and_failed_updates_are_asked_for_where_they_are_not_reported_by_default(string version, string variable, bool dashK)
    {
        var group = ProbePlanner.Plan(ConfigLoader.Parse(Yaml, "p.yaml"), NoKernel, Version.Parse(version)).Groups[0];

        Assert.Equal("5000", group.Environment[variable]);
        Assert.Single(group.Environment.Keys, k => k.Contains("MAP_KEYS", StringComparison.Ordinal));
        Assert.Equal(dashK, group.Arguments.Contains("-k"));
    }

    [Fact]
    public void The_same_configuration_gives_the_same_identity_and_a_changed_probe_changes_only_its_own()
    {
        var config = ConfigLoader.Parse(Yaml, "p.yaml");
        var before = ProbePlanner.Plan(config, NoKernel, new Version(0, 17, 0)).Groups.ToDictionary(g => g.Name, g => g.Identity);
        var again = ProbePlanner.Plan(ConfigLoader.Parse(Yaml, "p.yaml"), NoKernel, new Version(0, 17, 0)).Groups.ToDictionary(g => g.Name, g => g.Identity);
        var changed = ProbePlanner.Plan(ConfigLoader.Parse(Yaml.Replace("max_map_keys: 70", "max_map_keys: 71", StringComparison.Ordinal), "p.yaml"), NoKernel, new Version(0, 17, 0))
            .Groups.ToDictionary(g => g.Name, g => g.Identity);

        Assert.Equal(before, again);
        Assert.Equal(before["one"], changed["one"]);
        Assert.NotEqual(before["two"], changed["two"]);
    }

    [Fact]
    public void Built_ins_a_host_cannot_run_are_reported_with_why_and_the_rest_is_still_planned()
    {
        var plans = ProbePlanner.Plan(ConfigLoader.Parse(Yaml, "p.yaml"), NoKernel, new Version(0, 17, 0));

        Assert.Equal(BuiltinCatalogue.Names, plans.Unavailable.Select(u => u.Name));
        Assert.All(plans.Unavailable, u => Assert.Equal(ProbeStatus.Failed, u.Status));
        Assert.Contains("tracefs is not mounted", plans.Unavailable[0].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(plans.Groups, g => g.Name == ProbePlanner.BuiltinGroup);
        Assert.Equal(2, plans.Groups.Count);
    }

    [Fact]
    public void A_probe_says_what_it_is_attached_to_whatever_the_kind_of_its_program()
    {
        var user = new ProbePlan
        {
            Name = "u",
            Source = ProbePlan.UserSource,
            Program = "BEGIN { @s = 1; }\ntracepoint:sched:sched_process_exec /pid > 1/ { @a = count(); }\n  kprobe:tcp_connect, kprobe:tcp_close { @b = count(); }\ninterval:s:1 { }",
        };
        var builtin = new ProbePlan
        {
            Name = "b",
            Source = ProbePlan.BuiltinSource,
            Blocks = [new ProbeBlock("rawtracepoint:vmlinux:kfree_skb", null, "@x = count();"), new ProbeBlock("tracepoint:tcp:tcp_retransmit_skb", null, "@y = count();")],
        };

        Assert.Equal("tracepoint:sched:sched_process_exec, kprobe:tcp_connect, kprobe:tcp_close", user.Attach);
        Assert.Equal("rawtracepoint:vmlinux:kfree_skb, tracepoint:tcp:tcp_retransmit_skb", builtin.Attach);
    }

    [Fact]
    public void A_user_program_that_needs_an_offset_this_kernel_lacks_is_unavailable_not_an_error()
    {
        var config = ConfigLoader.Parse("""
            builtin: {}
            probes:
              - name: offsets
                program: 'k { @m[*(uint64 *)((uint64)curtask + {{offsetof task_struct.comm}})] = count(); }'
                metrics: [{ map: "@m", name: offsets_total, help: h }]
            """, "o.yaml");

        var plans = ProbePlanner.Plan(config, NoKernel, new Version(0, 17, 0));

        Assert.Empty(plans.Groups);
        Assert.Equal("offsets", Assert.Single(plans.Unavailable).Name);
    }
}
