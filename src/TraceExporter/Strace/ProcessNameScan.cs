using System.Globalization;
using System.Text;

namespace TraceExporter.Strace;

/// <summary>
/// Finds the processes with a given name in /proc (<c>/proc/PID/comm</c>, the kernel's 15-byte name) that no
/// one traces yet (<c>TracerPid: 0</c>): children of a process we already trace with <c>-f</c> are traced, and a
/// second tracer could not attach anyway.
/// </summary>
public sealed class ProcessNameScan(string procRoot = "/proc")
{
    public IReadOnlyList<int> Find(string name)
    {
        var found = new List<int>();
        var self = Environment.ProcessId;
        foreach (var dir in Directory.EnumerateDirectories(procRoot))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == self)
            {
                continue;
            }

            var comm = TryRead(System.IO.Path.Combine(dir, "comm"))?.TrimEnd('\n');
            if (comm is null || !string.Equals(comm, Truncate(name), StringComparison.Ordinal) || IsTraced(dir))
            {
                continue;
            }

            found.Add(pid);
        }

        found.Sort();
        return found;
    }

    /// <summary>The kernel keeps the first 15 bytes of a name.</summary>
    private static string Truncate(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        return bytes.Length <= 15 ? name : Encoding.UTF8.GetString(bytes, 0, 15);
    }

    private static bool IsTraced(string dir)
    {
        var status = TryRead(System.IO.Path.Combine(dir, "status"));
        if (status is null)
        {
            return true; // gone already
        }

        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith("TracerPid:", StringComparison.Ordinal))
            {
                return line["TracerPid:".Length..].Trim() != "0";
            }
        }

        return false;
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
