using System.Globalization;
using System.Text.Json;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>
/// An nftables table in a namespace whose input chain drops a share of the TCP segments to and from one port,
/// counting what it drops in one named counter. Every segment on <c>lo</c> passes input once, so the counter is
/// the drops.
/// </summary>
internal sealed class NftDropTable : IAsyncDisposable
{
    private const string Counter = "dropped";
    private readonly NetworkNamespace _namespace;
    private bool _deleted;

    private NftDropTable(NetworkNamespace ns, string name)
    {
        _namespace = ns;
        Name = name;
    }

    public string Name { get; }

    /// <param name="tenths">How many segments in ten to drop, at random.</param>
    public static async Task<NftDropTable> LoadAsync(NetworkNamespace ns, int port, int tenths = 3)
    {
        var table = new NftDropTable(ns, "te_kt_" + UniqueName.Suffix(10));
        var p = port.ToString(CultureInfo.InvariantCulture);
        var t = tenths.ToString(CultureInfo.InvariantCulture);
        var ruleset =
            $$"""
            table inet {{table.Name}} {
              counter {{Counter}} { }
              chain input {
                type filter hook input priority 0; policy accept;
                tcp dport {{p}} numgen random mod 10 < {{t}} counter name "{{Counter}}" drop
                tcp sport {{p}} numgen random mod 10 < {{t}} counter name "{{Counter}}" drop
              }
            }

            """;
        await ns.ExecAsync("nft", ["-f", "-"], ruleset);
        return table;
    }

    /// <summary>
    /// Ends the dropping and returns how many packets the table dropped in all: the rules go first (one
    /// transaction), then the counter, which no rule can change any more, is read, then the table goes. Reading
    /// first and deleting after would miss the drops in between, which the kernel's tracepoints still see.
    /// </summary>
    public async Task<long> StopAsync()
    {
        await _namespace.ExecAsync("nft", ["flush", "chain", "inet", Name, "input"]);
        var json = await _namespace.ExecAsync("nft", ["-j", "list", "counter", "inet", Name, Counter]);
        await DeleteAsync();
        return CounterPackets(json);
    }

    /// <summary>The packets of the one counter in an <c>nft -j list counter</c> listing.</summary>
    private static long CounterPackets(string json)
    {
        using var document = JsonDocument.Parse(json);
        var counters = document.RootElement.GetProperty("nftables").EnumerateArray()
            .Where(item => item.TryGetProperty("counter", out _))
            .Select(item => item.GetProperty("counter").GetProperty("packets").GetInt64())
            .ToList();
        return counters.Count == 1
            ? counters[0]
            : throw new InvalidOperationException($"expected one counter in the listing, nft printed:\n{json}");
    }

    public async Task DeleteAsync()
    {
        if (!_deleted)
        {
            await _namespace.ExecAsync("nft", ["delete", "table", "inet", Name]);
            _deleted = true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_deleted)
        {
            _deleted = true;
            await ExternalTool.RunUncheckedAsync("ip", ["netns", "exec", _namespace.Name, "nft", "delete", "table", "inet", Name]);
        }
    }
}
