namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>
/// An nftables table in a namespace that counts every IPv4 and IPv6 packet its input hook sees, ahead of any
/// other table's rules (priority -10). A witness of its own for packets: on <c>lo</c> each packet received passes
/// net:netif_receive_skb and then input once, so this count equals what that tracepoint reports, unless the
/// kernel handled a packet without running the tracepoint's programs.
/// </summary>
internal sealed class NftInputCounter : IAsyncDisposable
{
    private readonly NetworkNamespace _namespace;

    private NftInputCounter(NetworkNamespace ns, string name)
    {
        _namespace = ns;
        Name = name;
    }

    public string Name { get; }

    public static async Task<NftInputCounter> LoadAsync(NetworkNamespace ns)
    {
        var table = new NftInputCounter(ns, "te_kt_seen_" + UniqueName.Suffix(10));
        var ruleset =
            $$"""
            table inet {{table.Name}} {
              chain input {
                type filter hook input priority -10; policy accept;
                counter
              }
            }

            """;
        await ns.ExecAsync("nft", ["-f", "-"], ruleset);
        return table;
    }

    /// <summary>The packets input has seen since the table was loaded.</summary>
    public Task<long> ReadPacketsAsync() => NftDropTable.ReadCounterPacketsAsync(_namespace, Name, rules: 1);

    public async ValueTask DisposeAsync() =>
        await ExternalTool.RunUncheckedAsync("ip", ["netns", "exec", _namespace.Name, "nft", "delete", "table", "inet", Name]);
}
