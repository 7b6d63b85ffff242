using System.Security.Cryptography;
using System.Text;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>Random names, so two runs in a row or a daemon already running beside the tests cannot collide.</summary>
internal static class UniqueName
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Random lowercase letters and digits.</summary>
    public static string Suffix(int length) => RandomNumberGenerator.GetString(Alphabet, length);

    /// <summary>A thread name (comm) of exactly 15 bytes: <paramref name="prefix"/> then random characters.</summary>
    public static byte[] Comm(string prefix) => Comm(Encoding.ASCII.GetBytes(prefix));

    public static byte[] Comm(byte[] prefix)
    {
        if (prefix.Length >= 15)
        {
            throw new ArgumentException("a comm is at most 15 bytes and needs room for a random suffix", nameof(prefix));
        }

        return [.. prefix, .. Encoding.ASCII.GetBytes(Suffix(15 - prefix.Length))];
    }

    /// <summary>
    /// A TCP port for a listener inside a fresh network namespace, where every port is free; below the host's
    /// ephemeral range (32768 and up by default), whose ports tcp_accepts counts as one port="ephemeral" series.
    /// </summary>
    public static int NamespacePort() => RandomNumberGenerator.GetInt32(10000, 32768);
}
