using System.Globalization;
using System.Text.Json;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>
/// An nftables table in a namespace whose input chain drops a share of the TCP segments to and from one port,
/// counting what it drops. Every segment on <c>lo</c> passes input once, so the counters are the drops.
/// </summary>
internal sealed class NftDropTable : IAsyncDisposable
{
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
              chain input {
                type filter hook input priority 0; policy accept;
                tcp dport {{p}} numgen random mod 10 < {{t}} counter drop
                tcp sport {{p}} numgen random mod 10 < {{t}} counter drop
              }
            }

            """;
        await ns.ExecAsync("nft", ["-f", "-"], ruleset);
        return table;
    }

    /// <summary>The sum of the packet counters of the table's rules.</summary>
    public Task<long> ReadDroppedPacketsAsync() => ReadCounterPacketsAsync(_namespace, Name, rules: 2);

    /// <summary>
    /// The packets of every counter in the inet table <paramref name="table"/> of <paramref name="ns"/>, which must
    /// have <paramref name="rules"/> rules (a different number means the listing is not the table loaded).
    /// </summary>
    private static async Task<long> ReadCounterPacketsAsync(NetworkNamespace ns, string table, int rules)
    {
        var json = await ns.ExecAsync("nft", ["-j", "list", "table", "inet", table]);
        var (packets, listed) = CounterPackets(json);
        if (listed != rules)
        {
            throw new InvalidOperationException($"expected {rules} rules in table {table}, nft listed:\n{json}");
        }

        return packets;
    }

    /// <summary>The packets of every counter in an <c>nft -j list table</c> listing, and how many rules it has.</summary>
    private static (long Packets, int Rules) CounterPackets(string json)
    {
        using var document = JsonDocument.Parse(json);
        long packets = 0;
        var rules = 0;
        foreach (var item in document.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (!item.TryGetProperty("rule", out var rule))
            {
                continue;
            }

            rules++;
            foreach (var expression in rule.GetProperty("expr").EnumerateArray())
            {
                if (expression.TryGetProperty("counter", out var counter))
                {
                    packets += counter.GetProperty("packets").GetInt64();
                }
            }
        }

        return (packets, rules);
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
