using System.Net.Sockets;

namespace TraceExporter.TestWorkload;

/// <summary>Accepts connections one at a time until killed or until standard input reaches end of file.</summary>
internal static class ServeCommand
{
    public static int Run(WorkloadOptions options)
    {
        using var listener = LoopbackSocket.Listen(options.Port);
        Console.Out.WriteLine("listening");
        Console.Out.Flush();

        // The only other thread: it touches no socket, so it cannot show up in the socket tracepoints.
        var stdinWatcher = new Thread(() =>
        {
            using var stdin = Console.OpenStandardInput();
            var buffer = new byte[256];
            while (stdin.Read(buffer) > 0)
            {
            }

            Environment.Exit(0);
        })
        { IsBackground = true, Name = "stdin-eof" };
        stdinWatcher.Start();

        while (true)
        {
            using var connection = listener.Accept();
            try
            {
                if (options.SendBytes is { } count)
                {
                    LoopbackSocket.SendExactly(connection, count);
                    connection.Shutdown(SocketShutdown.Send);
                }
                else
                {
                    LoopbackSocket.ReadToEnd(connection);
                }
            }
            catch (SocketException e)
            {
                Console.Error.WriteLine($"connection failed: {e.SocketErrorCode}");
            }
        }
    }
}
