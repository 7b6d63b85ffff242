using System.Globalization;
using CliWrap;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>
/// A network namespace of our own, with only <c>lo</c>, up. Its SNMP counters start at zero and nothing else
/// sends traffic in it, so nstat inside it is the ground truth for what the tests did.
/// </summary>
internal sealed class NetworkNamespace : IAsyncDisposable
{
    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    public static async Task<NetworkNamespace> CreateAsync()
    {
        var ns = new NetworkNamespace("te-kt-" + UniqueName.Suffix(10));
        await ExternalTool.RunAsync("ip", ["netns", "add", ns.Name]);
        try
        {
            await ExternalTool.RunAsync("ip", ["-n", ns.Name, "link", "set", "lo", "up"]);
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }

        return ns;
    }

    /// <summary>A command that runs <paramref name="program"/> inside the namespace (same pid: ip execs it).</summary>
    public Command Command(string program, IEnumerable<string> arguments) =>
        Cli.Wrap("ip").WithArguments(["netns", "exec", Name, program, .. arguments]);

    public Task<string> ExecAsync(string program, IEnumerable<string> arguments, string? standardInput = null) =>
        ExternalTool.RunAsync("ip", ["netns", "exec", Name, program, .. arguments], standardInput);

    public Task SetLoopbackMtuAsync(int mtu) =>
        ExternalTool.RunAsync("ip", ["-n", Name, "link", "set", "lo", "mtu", mtu.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>Sets a per-namespace sysctl, e.g. <c>net.ipv4.tcp_rto_max_ms</c>.</summary>
    public Task SetSysctlAsync(string key, string value) => ExecAsync("sysctl", ["-qw", $"{key}={value}"]);

    /// <summary>An absolute SNMP/netstat counter of this namespace, e.g. <c>TcpRetransSegs</c>.</summary>
    public async Task<long> ReadCounterAsync(string counter)
    {
        // -a: absolute values, ignoring nstat's history file; -s: do not update it; -z: print zeros too.
        var output = await ExecAsync("nstat", ["-asz", counter]);
        foreach (var line in output.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && fields[0] == counter)
            {
                return long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"nstat printed no {counter} in {Name}:\n{output}");
    }

    /// <summary>The state and addresses of every TCP socket in the namespace, one line each (ss -tan).</summary>
    public async Task<IReadOnlyList<string>> ListTcpSocketsAsync()
    {
        var output = await ExecAsync("ss", ["-tanH"]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public async ValueTask DisposeAsync()
    {
        await ExternalTool.RunUncheckedAsync("ip", ["netns", "delete", Name]);
    }
}
