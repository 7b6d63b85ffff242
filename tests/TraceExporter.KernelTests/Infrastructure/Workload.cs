using System.Globalization;
using CliWrap;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>Runs te-workload subcommands to completion inside a namespace, under a chosen thread name.</summary>
internal static class Workload
{
    public static Command Command(NetworkNamespace ns, byte[]? threadName, IEnumerable<string> arguments) =>
        ns.Command("dotnet", DotnetArguments(threadName, arguments));

    public static Task<string> ConnectAsync(NetworkNamespace ns, byte[] threadName, int port, int count, TimeSpan? timeout = null) =>
        RunAsync(ns, threadName, ["connect", "--port", Text(port), "--count", Text(count)], timeout);

    public static Task<string> ReadAsync(NetworkNamespace ns, byte[] threadName, int port, long bytes, TimeSpan? timeout = null) =>
        RunAsync(ns, threadName, ["read", "--port", Text(port), "--bytes", Text(bytes)], timeout);

    public static Task<string> SendAsync(NetworkNamespace ns, byte[]? threadName, int port, long bytes, TimeSpan? timeout = null) =>
        RunAsync(ns, threadName, ["send", "--port", Text(port), "--bytes", Text(bytes)], timeout);

    private static async Task<string> RunAsync(NetworkNamespace ns, byte[]? threadName, string[] arguments, TimeSpan? timeout)
    {
        return await ExternalTool.RunAsync(
            "ip", ["netns", "exec", ns.Name, "dotnet", .. DotnetArguments(threadName, arguments)], timeout: timeout);
    }

    private static string[] DotnetArguments(byte[]? threadName, IEnumerable<string> arguments)
    {
        IEnumerable<string> nameOption = threadName is null ? [] : ["--name-hex", Convert.ToHexString(threadName)];
        return [RepositoryLayout.WorkloadDll, .. nameOption, .. arguments];
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
