using System.CommandLine;
using System.Runtime.InteropServices;
using ByolA.Cli;

namespace ByolA.Tests.Cli;

public class VerbRunnerTests
{
    // What TorchSharp throws when libtorch reads a c10::Scalar its finalizer already freed (seen in a training run).
    const string ScalarFault =
        "Expected false to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)\n" +
        "Exception raised from toFloat at /pytorch/c10/core/Scalar.h:140 (most recent call first):\n" +
        "frame #0: c10::Error::Error(c10::SourceLocation, std::__cxx11::basic_string<char>) + 0x9d (0x7f1b58bcf05d in libc10.so)\n" +
        "frame #13: THSTensor_add_scalar + 0x62 (0x7f1b5817c552 in libLibTorchSharp.so)\n";

    static (int Code, string Error) RunThrowing(Exception e, params string[] extra)
    {
        var error = new StringWriter();
        var command = new RootCommand { CliApp.Verbose };
        var parse = command.Parse(extra);
        int code = VerbRunner.Run(new CliContext(TextWriter.Null, error), parse, _ => throw e);
        return (code, error.ToString());
    }

    [Fact]
    public void A_libtorch_failure_is_one_line_without_the_native_backtrace()
    {
        var (code, error) = RunThrowing(new ExternalException("shape '[2, 3]' is invalid for input of size 5\nException raised from view at x.cpp:1\nframe #0: foo"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Equal("error: libtorch failed: shape '[2, 3]' is invalid for input of size 5 (run with --verbose for details)", error.TrimEnd());
    }

    [Fact]
    public void The_finalised_scalar_fault_says_it_is_not_the_data_and_how_to_go_on()
    {
        var (code, error) = RunThrowing(new ExternalException(ScalarFault));
        Assert.Equal(ExitCodes.Failure, code);
        var line = Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("TorchSharp#1434", line);
        Assert.Contains("--resume", line);
        Assert.DoesNotContain("frame #", line);
    }

    [Fact]
    public void Verbose_keeps_the_whole_native_message()
    {
        var (_, error) = RunThrowing(new ExternalException(ScalarFault), "--verbose");
        Assert.Contains("THSTensor_add_scalar", error);
    }
}
