using System.Globalization;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>A snapshot of /proc, to find the processes a daemon started and to check they are gone.</summary>
internal static class ProcessTable
{
    public static IReadOnlyList<ProcessEntry> Snapshot()
    {
        var entries = new List<ProcessEntry>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Read(pid) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>Children, grandchildren and so on of <paramref name="pid"/>.</summary>
    public static IReadOnlyList<ProcessEntry> Descendants(int pid)
    {
        var byParent = Snapshot().ToLookup(e => e.ParentPid);
        var found = new List<ProcessEntry>();
        var pending = new Queue<int>([pid]);
        while (pending.TryDequeue(out var parent))
        {
            foreach (var child in byParent[parent])
            {
                found.Add(child);
                pending.Enqueue(child.Pid);
            }
        }

        return found;
    }

    /// <summary>True while that very process (same pid and start time) exists and is not a zombie.</summary>
    public static bool IsAlive(ProcessEntry process) =>
        Read(process.Pid) is { } now && now.StartTime == process.StartTime && now.State != 'Z';

    public static ProcessEntry? Read(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid ..." where comm may itself contain spaces and parentheses.
        var open = stat.IndexOf('(', StringComparison.Ordinal);
        var close = stat.LastIndexOf(')');
        var rest = stat[(close + 2)..].Split(' ');
        return new ProcessEntry(
            pid,
            stat[(open + 1)..close],
            rest[0][0],
            int.Parse(rest[1], CultureInfo.InvariantCulture),
            ulong.Parse(rest[19], CultureInfo.InvariantCulture));
    }
}
