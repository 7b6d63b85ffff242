using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CliWrap;
using CliWrap.Buffered;
using Xunit;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>
/// Many programs with distinct names, as an unprivileged user can make them: symlinks named
/// <c>PREFIXnnnnnn</c> to one small binary (Native/execstorm.c, compiled once per test run), so after exec
/// each process's comm is its link's name. Each one connects to a port on 127.0.0.1 (or to none) and reads
/// until the server closes. Run them with <see cref="RunAsync"/>, one after another, from a C loop.
/// </summary>
internal sealed class ExecStorm : IDisposable
{
    private static readonly Lazy<Task<string>> Binary = new(CompileAsync);
    private readonly DirectoryInfo _directory;
    private readonly string _binary;

    private ExecStorm(string prefix, int count, string binary)
    {
        Prefix = prefix;
        Count = count;
        _binary = binary;
        _directory = Directory.CreateTempSubdirectory("te-kt-storm-");
        for (var n = 0; n < count; n++)
        {
            File.CreateSymbolicLink(Path.Combine(_directory.FullName, NameOf(n)), binary);
        }
    }

    /// <summary>At most 9 characters: with six digits the names fit the kernel's 15-byte comm.</summary>
    public string Prefix { get; }

    public int Count { get; }

    public static async Task<ExecStorm> CreateAsync(string prefix, int count)
    {
        Assert.True(prefix.Length <= 9, "the prefix and six digits must fit in 15 bytes of comm");
        return new ExecStorm(prefix, count, await Binary.Value);
    }

    public string NameOf(int n) => Prefix + n.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The link that runs program <paramref name="n"/> (its comm is <see cref="NameOf"/>).</summary>
    public string LinkOf(int n) => System.IO.Path.Combine(_directory.FullName, NameOf(n));

    /// <summary>Runs programs <paramref name="first"/> … first+count-1 in turn; each connects to <paramref name="port"/> (0: none).</summary>
    public async Task<TimeSpan> RunAsync(int first, int count, int port)
    {
        var started = DateTime.UtcNow;
        var result = await Cli.Wrap(_binary)
            .WithArguments(["--storm", _directory.FullName, Prefix, first.ToString(CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture), port.ToString(CultureInfo.InvariantCulture)])
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();
        Assert.True(result.ExitCode == 0, $"the storm did not run cleanly: {result.StandardOutput}{result.StandardError}");
        return DateTime.UtcNow - started;
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private static async Task<string> CompileAsync()
    {
        // Compiled once per test run, used by every storm of it, removed when the run's process ends.
        var directory = Directory.CreateTempSubdirectory("te-kt-execstorm-");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                directory.Delete(recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // gone already, or busy: /tmp is cleaned at boot
            }
        };
        var output = Path.Combine(directory.FullName, "execstorm");
        var source = Path.Combine(RepositoryLayout.Root, "tests", "TraceExporter.KernelTests", "Native", "execstorm.c");
        var result = await Cli.Wrap("cc").WithArguments(["-O2", "-o", output, source]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        Assert.True(result.ExitCode == 0, $"cc {source} failed: {result.StandardError}");
        return output;
    }
}

/// <summary>
/// A loopback TCP server for the storm's programs, on a port outside the host's ephemeral range (so its
/// accepts keep their own <c>port</c> series): each connection gets <see cref="Reply"/> and is closed.
/// </summary>
internal sealed class ReplyServer : IAsyncDisposable
{
    public static readonly byte[] Reply = "0123456789abcdef"u8.ToArray();
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _accepted;

    private ReplyServer(TcpListener listener)
    {
        _listener = listener;
        _loop = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public long Accepted => Interlocked.Read(ref _accepted);

    public static ReplyServer Start()
    {
        var low = 32768;
        if (File.Exists("/proc/sys/net/ipv4/ip_local_port_range"))
        {
            low = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
        }

        for (var attempt = 0; ; attempt++)
        {
            var listener = new TcpListener(IPAddress.Loopback, System.Security.Cryptography.RandomNumberGenerator.GetInt32(10000, low));
            try
            {
                listener.Start(1024);
                return new ReplyServer(listener);
            }
            catch (SocketException) when (attempt < 50)
            {
                listener.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            using (client)
            {
                await client.SendAsync(Reply, SocketFlags.None);
                client.Shutdown(SocketShutdown.Both);
            }
        }
    }
}
