using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Lifecycle;

/// <summary>Past their series limits, endless new label sets cost the daemon no memory.</summary>
public sealed class SeriesMemoryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Batch = 100;

    [SkippableFact]
    public async Task A_hundred_thousand_label_sets_through_line_mode_a_delta_map_and_the_built_ins_cost_the_daemon_less_than_20_MB_more_than_the_first_thousand()
    {
        KernelPrerequisites.Require();
        var prefix = "tkm" + UniqueName.Suffix(2);
        // Each exec of a trigger (PREFIXg…) makes the probe write 100 new keys into a delta map and print 100
        // new lines; each exec of a PREFIXb… program is a new name for the built-ins. A warm-up trigger
        // (PREFIXw…) writes and prints the same 100 keys and lines every time.
        await using var daemon = await DaemonProcess.StartHealthyAsync(DaemonProcess.AllProbesConfig + $$"""
            probes:
              - name: keys
                max_map_keys: 120000
                buffer_pages: 4096
                program: |
                  tracepoint:sched:sched_process_exec /strncmp(comm, "{{prefix}}g", 6) == 0/ {
                    $k = @batch * {{Batch}};
                    unroll({{Batch}}) { @keys[$k] = count(); printf("line %d\n", $k); $k = $k + 1; }
                    @batch = @batch + 1;
                  }
                  tracepoint:sched:sched_process_exec /strncmp(comm, "{{prefix}}w", 6) == 0/ {
                    $k = 0;
                    unroll({{Batch}}) { @keys[$k] = count(); printf("line %d\n", $k); $k = $k + 1; }
                  }
                metrics:
                  - { map: "@keys", name: mem_keys_total, help: Keys., labels: [{ name: k, kind: number }] }
                lines:
                  - { regex: '^line (?<k>\d+)$', name: mem_lines_total, help: Lines. }
            """);
        using var triggers = await ExecStorm.CreateAsync(prefix + "g", 1000);
        using var warmUp = await ExecStorm.CreateAsync(prefix + "w", 1);
        using var names = await ExecStorm.CreateAsync(prefix + "b", 100_000);

        await triggers.RunAsync(0, 10, 0);
        await names.RunAsync(0, 1000, 0);

        // The same work again without a new label set (990 prints of the first 100 keys and lines, the first 1,000
        // names ten times over): the daemon's allocator and buffers reach their working size, so what the 99,000
        // new label sets of each kind add after it is theirs.
        for (var i = 0; i < 990; i++)
        {
            await warmUp.RunAsync(0, 1, 0);
        }

        for (var i = 0; i < 10; i++)
        {
            await names.RunAsync(0, 1000, 0);
        }

        await Poll.UntilAsync(async () => (await daemon.ScrapePageAsync()).Named("mem_keys_total").Sum(s => s.Value) >= 1000 * Batch, TimeSpan.FromSeconds(30));
        var first = await SteadyResidentKbAsync(daemon);
        var firstPage = await daemon.ScrapePageAsync();

        await triggers.RunAsync(10, 990, 0);
        await names.RunAsync(1000, 99_000, 0);
        var page = await Poll.UntilAsync(daemon.ScrapePageAsync, p => p.Named("mem_keys_total").Sum(s => s.Value) >= 1990 * Batch, TimeSpan.FromSeconds(30));
        var after = await SteadyResidentKbAsync(daemon);
        page = await daemon.ScrapePageAsync();

        var ourExecs = page.Named("trace_process_execs_total").Count(s => s.Labels["comm"].StartsWith(prefix + "b", StringComparison.Ordinal));
        var message = FailureReport.Describe(
            "the daemon's resident memory after 100,000 label sets of each kind within 20 MB of that after the first 1,000 (and as much work again on them)",
            daemon, page, ["trace_exporter_series_dropped_total", "trace_exporter_lost_events_total", "trace_exporter_map_updates_failed_total"],
            $"VmRSS after the first 1,000: {first / 1024.0:F1} MB; after 100,000: {after / 1024.0:F1} MB",
            $"series: mem_keys_total {page.Named("mem_keys_total").Count}, mem_lines_total {page.Named("mem_lines_total").Count}, process_execs of our names {ourExecs}",
            $"summed: keys {page.Named("mem_keys_total").Sum(s => s.Value)}, lines {page.Named("mem_lines_total").Sum(s => s.Value)}",
            $"managed heap (dotnet_total_memory_bytes): {firstPage.Counter("dotnet_total_memory_bytes") / 1048576:F1} MB -> {page.Counter("dotnet_total_memory_bytes") / 1048576:F1} MB; " +
            $"GCs gen0/1/2: {string.Join("/", Enumerable.Range(0, 3).Select(g => page.Counter("dotnet_collection_count_total", ("generation", g.ToString(System.Globalization.CultureInfo.InvariantCulture)))))}");
        output.WriteLine(message);
        Assert.True(page.Named("mem_keys_total").Count <= 1001 && page.Named("mem_lines_total").Count <= 1001, message);
        Assert.True(page.Named("mem_keys_total").Sum(s => s.Value) == 1990 * Batch, message);
        Assert.True(page.Named("trace_process_execs_total").Count <= 10_001, message);
        Assert.True(after - first <= 20 * 1024, message);
    }

    /// <summary>The daemon's VmRSS once it has stopped growing for a few seconds (the last interval's prints applied).</summary>
    private static async Task<long> SteadyResidentKbAsync(DaemonProcess daemon)
    {
        long last = 0;
        for (var i = 0; i < 30; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = ResidentKb(daemon.ProcessId);
            if (i >= 3 && Math.Abs(now - last) < 512)
            {
                return now;
            }

            last = now;
        }

        return last;
    }

    private static long ResidentKb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
