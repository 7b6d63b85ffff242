using System.Globalization;

namespace TraceExporter.Kernel;

/// <summary>Fields of <c>/proc/PID/status</c>.</summary>
public static class ProcStatus
{
    /// <summary>VmRSS in kB, or null when the process is gone, a zombie (no VmRSS line) or unreadable.</summary>
    public static long? ResidentKb(int pid, string procRoot = "/proc")
    {
        try
        {
            foreach (var line in File.ReadLines($"{procRoot}/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the process ended between the listing and the read
        }

        return null;
    }
}
