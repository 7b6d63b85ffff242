using System.Globalization;
using System.Text.Json;
using TraceExporter.KernelTests.Infrastructure;

namespace TraceExporter.KernelTests.Faults;

/// <summary>
/// Which BPF programs are loaded, and which of them a process holds. Other tests may load and unload programs
/// at the same time, so ours are told apart by the program fds of our bpftrace (<c>/proc/PID/fdinfo</c>, whose
/// <c>prog_id</c> is the id <c>bpftool prog show</c> lists), not by a difference of two listings.
/// </summary>
internal static class BpfPrograms
{
    /// <summary>The ids of every loaded program, as <c>bpftool prog show --json</c> lists them.</summary>
    public static async Task<IReadOnlySet<int>> LoadedAsync()
    {
        var json = await ExternalTool.RunAsync("bpftool", ["prog", "show", "--json"]);
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray().Select(p => p.GetProperty("id").GetInt32()).ToHashSet();
    }

    /// <summary>The ids of the programs whose fds <paramref name="pid"/> holds open; empty once it is gone.</summary>
    public static IReadOnlySet<int> HeldBy(int pid)
    {
        var ids = new HashSet<int>();
        string[] fds;
        try
        {
            fds = Directory.GetFiles($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/fd");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ids;
        }

        foreach (var fd in fds)
        {
            try
            {
                if (new FileInfo(fd).LinkTarget != "anon_inode:bpf-prog")
                {
                    continue;
                }

                var info = File.ReadAllLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/fdinfo/{Path.GetFileName(fd)}");
                var line = info.FirstOrDefault(l => l.StartsWith("prog_id:", StringComparison.Ordinal));
                if (line is not null)
                {
                    ids.Add(int.Parse(line["prog_id:".Length..].Trim(), CultureInfo.InvariantCulture));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // the fd was closed while we looked
            }
        }

        return ids;
    }
}
