using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Config;

/// <summary>A REIN_HOME rein cannot use is one line naming the path (issue 20 item 13), never .NET's exception text
/// or "please report it".</summary>
public sealed class StateHomeMessagesTests : RunTestBase
{
    [Fact]
    public void A_dangling_link_is_named_with_its_target()
    {
        var link = Path.Combine(Scratch, "home-link");
        var target = Path.Combine(Scratch, "gone");
        File.CreateSymbolicLink(link, target);

        foreach (var verb in new[] { new[] { "run", "--", "true" }, ["ps"], ["journal"] })
        {
            var r = ReinProcess.Run(verb, new Dictionary<string, string?> { ["REIN_HOME"] = link });

            Assert.NotEqual(0, r.ExitCode);
            Assert.Equal(
                $"rein {verb[0]}: state directory {link} is a link to {target}, which does not exist; "
                    + "create it, or set REIN_HOME elsewhere\n",
                r.Stderr
            );
        }
    }

    [Fact]
    public void A_folder_rein_may_not_create_is_one_line()
    {
        var (_, _, wrapper) = OtherUser.Prepare(Scratch);
        var closed = Directory.CreateDirectory(Path.Combine(Scratch, "closed")).FullName;
        File.SetUnixFileMode(closed, (UnixFileMode)0x16D); // 0555: nobody may create inside
        var home = Path.Combine(closed, "state");

        var r = ReinProcess.Run(
            ["run", "--", "true"],
            new Dictionary<string, string?> { ["REIN_HOME"] = home },
            workingDirectory: Scratch,
            wrapper: wrapper
        );

        Assert.Equal(125, r.ExitCode);
        Assert.Equal(
            $"rein run: cannot create the state directory {home}: permission denied; "
                + "set REIN_HOME to a folder you can write\n",
            r.Stderr
        );
    }
}
