using System.Globalization;

namespace TraceExporter.Metrics;

/// <summary>
/// The kernel's accounting of one loaded BPF program, as <c>/proc/PID/fdinfo/FD</c> of a <c>bpf-prog</c> fd
/// shows it (<c>prog_id</c>, <c>run_time_ns</c>, <c>run_cnt</c>, <c>recursion_misses</c>). Run time and
/// count move only while <c>kernel.bpf_stats_enabled</c> is 1; misses are always counted (Linux 5.12+).
/// </summary>
public readonly record struct BpfProgramRun(uint ProgramId, ulong RunTimeNs, ulong RunCount, ulong RecursionMisses = 0)
{
    /// <summary>False for an fdinfo that is not a BPF program's, or from a kernel without run statistics (before 5.1).</summary>
    public static bool TryParseFdInfo(string fdinfo, out BpfProgramRun run)
    {
        run = default;
        uint? id = null;
        ulong? time = null, count = null;
        ulong misses = 0;
        foreach (var line in fdinfo.AsSpan().EnumerateLines())
        {
            var colon = line.IndexOf(':');
            if (colon < 0)
            {
                continue;
            }

            var key = line[..colon];
            var value = line[(colon + 1)..].Trim();
            if (key.SequenceEqual("prog_id") && uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsedId))
            {
                id = parsedId;
            }
            else if (key.SequenceEqual("run_time_ns") && ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsedTime))
            {
                time = parsedTime;
            }
            else if (key.SequenceEqual("recursion_misses") && ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsedMisses))
            {
                misses = parsedMisses;
            }
            else if (key.SequenceEqual("run_cnt") && ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsedCount))
            {
                count = parsedCount;
            }
        }

        if (id is null || time is null || count is null)
        {
            return false;
        }

        run = new BpfProgramRun(id.Value, time.Value, count.Value, misses);
        return true;
    }
}
