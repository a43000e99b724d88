using Rein.Platform.Posix;
using Rein.Running;

namespace Rein.Tests.Running;

/// <summary>Issue 27 item 1: a host passes bytes that are not UTF-8 (a Latin-1 file name, a binary token) in the
/// command and in environment values, as <see cref="OsString"/> strings, and the command receives those bytes.</summary>
public sealed class RunSpecBytesTests : RunTestBase
{
    [Fact]
    public async Task Non_utf8_bytes_in_an_environment_value_and_an_argument_reach_the_command_unchanged()
    {
        byte[] latin1 = [0x63, 0x61, 0x66, 0xE9, 0xFF, 0x80]; // "caf\xe9\xff\x80": not UTF-8
        var value = OsString.FromBytes(latin1);
        var envOut = Path.Combine(Scratch, "env");
        var argOut = Path.Combine(Scratch, "arg");

        var verdict = await new GuardedRun(
            new RunSpec
            {
                Command =
                [
                    "/bin/sh",
                    "-c",
                    "printf %s \"$REIN_TEST_BYTES\" > \"$1\"; printf %s \"$2\" > \"$3\"",
                    Marker,
                    envOut,
                    value,
                    argOut,
                ],
                EnvironmentVariables = new Dictionary<string, string?>
                {
                    ["REIN_TEST_BYTES"] = value,
                },
            },
            new GuardedRunOptions { StateDirectory = Home }
        ).RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(RunOutcome.Exited, verdict.Outcome);
        Assert.Equal(0, verdict.ExitCode);
        Assert.Equal(latin1, File.ReadAllBytes(envOut));
        Assert.Equal(latin1, File.ReadAllBytes(argOut));
    }
}
