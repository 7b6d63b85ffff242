using TraceExporter.TestWorkload;

// Every socket call below runs on this, the main, thread: the tracepoints report the calling thread's comm,
// and prctl(PR_SET_NAME) renames only the calling thread.
WorkloadOptions options;
try
{
    options = WorkloadOptions.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    await Console.Error.WriteLineAsync(WorkloadOptions.Usage);
    return 2;
}

if (options.ThreadName is { } name)
{
    ThreadName.SetForCallingThread(name);
}

return options.Command switch
{
    "serve" => ServeCommand.Run(options),
    "connect" => ConnectCommand.Run(options),
    "read" => ReadCommand.Run(options),
    "send" => SendCommand.Run(options),
    _ => 2,
};
