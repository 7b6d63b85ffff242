using BenchmarkDotNet.Running;
using TraceExporter.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(MapSnapshotBenchmarks).Assembly).Run(args);
