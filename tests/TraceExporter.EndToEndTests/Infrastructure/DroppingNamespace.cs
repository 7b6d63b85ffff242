using System.Globalization;

namespace TraceExporter.EndToEndTests.Infrastructure;

/// <summary>
/// A network namespace of our own whose nft input hook drops 3 in 10 TCP segments to and from one port, with
/// TCP traffic on its <c>lo</c>: the kernel retransmits what was dropped. Disposing stops the traffic and
/// deletes the table and the namespace.
/// </summary>
internal sealed class DroppingNamespace : IAsyncDisposable
{
    // One server and one client that connects, sends 1 MiB and closes, again and again until the time is up.
    private const string TrafficScript =
        """
        import socket, sys, threading, time
        port, end = int(sys.argv[1]), time.time() + float(sys.argv[2])
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(64)
        def drain(c):
            try:
                while c.recv(65536):
                    pass
            except OSError:
                pass
            c.close()
        def serve():
            while True:
                c, _ = server.accept()
                threading.Thread(target=drain, args=(c,), daemon=True).start()
        threading.Thread(target=serve, daemon=True).start()
        chunk = b"x" * 65536
        while time.time() < end:
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.settimeout(5)
                for _ in range(16):
                    s.sendall(chunk)
                s.close()
            except OSError:
                pass
        """;

    private readonly string _table;
    private ChildProcess? _traffic;

    private DroppingNamespace(string name, string table)
    {
        Name = name;
        _table = table;
    }

    public string Name { get; }

    public static async Task<DroppingNamespace> StartAsync(TimeSpan trafficFor)
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var ns = new DroppingNamespace("te-e2e-" + suffix, "te_e2e_" + suffix);
        await ChildProcess.RunAsync("ip", ["netns", "add", ns.Name]);
        try
        {
            await ChildProcess.RunAsync("ip", ["-n", ns.Name, "link", "set", "lo", "up"]);
            var port = 20000 + Random.Shared.Next(20000);
            var p = port.ToString(CultureInfo.InvariantCulture);
            await ChildProcess.RunAsync("ip", ["netns", "exec", ns.Name, "nft", "-f", "-"],
                $$"""
                table inet {{ns._table}} {
                  chain input {
                    type filter hook input priority 0; policy accept;
                    tcp dport {{p}} numgen random mod 10 < 3 drop
                    tcp sport {{p}} numgen random mod 10 < 3 drop
                  }
                }

                """);
            ns._traffic = ChildProcess.Start("traffic", "ip",
                ["netns", "exec", ns.Name, "python3", "-c", TrafficScript, p, trafficFor.TotalSeconds.ToString(CultureInfo.InvariantCulture)]);
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }

        return ns;
    }

    public async ValueTask DisposeAsync()
    {
        if (_traffic is not null)
        {
            await _traffic.DisposeAsync();
        }

        try
        {
            await ChildProcess.RunAsync("ip", ["netns", "exec", Name, "nft", "delete", "table", "inet", _table]);
        }
        catch (InvalidOperationException)
        {
            // never loaded, or gone with a failed start
        }

        await ChildProcess.RunAsync("ip", ["netns", "del", Name]);
    }
}
