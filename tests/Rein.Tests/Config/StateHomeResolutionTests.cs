using Rein.Config;
using Rein.Running;

namespace Rein.Tests.Config;

/// <summary>Issue 20 item 12: one state directory however rein is started — a relative XDG_STATE_HOME is ignored
/// (the XDG spec), REIN_HOME is made absolute — and a library host's run id cannot leave the state folder.</summary>
public sealed class StateHomeResolutionTests
{
    [Fact]
    public void A_relative_XDG_STATE_HOME_is_ignored_and_REIN_HOME_is_made_absolute()
    {
        if (OperatingSystem.IsMacOS())
        {
            Assert.Skip("macOS keeps state in ~/Library/Application Support");
        }

        var env = new Dictionary<string, string?>
        {
            ["HOME"] = "/home/u",
            ["XDG_STATE_HOME"] = "state",
        };
        Assert.Equal(
            "/home/u/.local/state/rein",
            StateDirectory.Resolve(k => env.GetValueOrDefault(k))
        );
        env["XDG_STATE_HOME"] = "/var/xdg";
        Assert.Equal("/var/xdg/rein", StateDirectory.Resolve(k => env.GetValueOrDefault(k)));

        env["REIN_HOME"] = "relative/state";
        var resolved = StateDirectory.Resolve(k => env.GetValueOrDefault(k));
        Assert.True(Path.IsPathRooted(resolved), resolved);
        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "relative", "state"), resolved);
    }

    [Theory]
    [InlineData("../../x")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("")]
    [InlineData("with space")]
    public void A_run_id_that_could_leave_the_state_folder_is_refused(string id)
    {
        Assert.Throws<ArgumentException>(() => new RunSpec { Command = ["true"], RunId = id });
    }

    [Fact]
    public void Generated_and_ordinary_run_ids_are_accepted()
    {
        Assert.True(RunSpec.IsValidRunId(RunSpec.NewRunId()));
        Assert.Equal(
            "job-42.retry_1",
            new RunSpec { Command = ["true"], RunId = "job-42.retry_1" }.RunId
        );
    }
}
