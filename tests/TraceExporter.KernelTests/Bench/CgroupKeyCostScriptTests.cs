using System.Text.RegularExpressions;
using Xunit;

namespace TraceExporter.KernelTests.Bench;

/// <summary>
/// Keeps bench/cgroup-key-cost.sh working: its short mode runs on the real kernel. A benchmark, not a timed
/// test: no threshold is asserted on what it measures, only that each program ran on real events.
/// </summary>
public sealed class CgroupKeyCostScriptTests
{
    [SkippableFact]
    public async Task The_cgroup_key_cost_script_in_short_mode_prints_a_cost_per_event_for_each_program_on_both_tracepoints()
    {
        BenchScript.RequireTool("cc", "the script compiles bench/tcpload.c");
        BenchScript.RequireTool("bpftool", "the script reads run_time_ns and run_cnt with bpftool");

        var output = await BenchScript.RunShortAsync("cgroup-key-cost.sh", TimeSpan.FromMinutes(5));

        foreach (var tracepoint in new[] { "sock:inet_sock_set_state", "sched:sched_process_exec" })
        {
            foreach (var program in new[] { "floor", "comm", "cgroup+comm" })
            {
                Assert.Matches($@"(?m)^{Regex.Escape(tracepoint)}\s+1\s+{Regex.Escape(program)}\s+[1-9]\d*\s+[1-9]\d*\.\d$", output);
            }
        }
    }
}
