using ByolA.Tests.Learning;
using ByolA.Tests.Support;

namespace ByolA.Tests;

/// <summary>
/// The test assembly's entry point (the test SDK's generated one does nothing): run as
/// <c>dotnet ByolA.Tests.dll distributed-test-host …</c> under mpirun it is one rank of <see cref="DistributedTestHost"/>.
/// Test runners load the assembly and never call it.
/// </summary>
public static class Program
{
    public static int Main(string[] args) =>
        args.Length > 0 && args[0] == MpiRunner.DistributedHostVerb ? DistributedTestHost.Run(args[1..]) : 0;
}
