using Rein.Processes.Posix;
using Rein.Processes.Shim;

namespace Rein.Running;

public sealed unsafe partial class Guard
{
    /// <summary>Starts the command under its shim and waits for the exec. Returns the verdict when it could not
    /// start (not found, not executable…), null once it runs.</summary>
    RunVerdict? StartUnderShim(IReadOnlyList<string> shimCommand, DateTimeOffset startedAt)
    {
        if (_spec.WorkingDirectory is { } dir && !Directory.Exists(dir))
        {
            return Finish(
                new RunVerdict
                {
                    RunId = _spec.RunId,
                    Outcome = RunOutcome.StartFailed,
                    StartFailure = new SpawnFailure(2, $"working directory {dir} does not exist"),
                    Duration = _watch.Elapsed,
                    StartedAt = startedAt,
                }
            );
        }

        var relayed = _spec.IdleTimeout is { } idle && idle > TimeSpan.Zero || _spec.Classify;
        if (
            relayed
            && (
                _spec.StandardOutput.Kind != RunStdioKind.Inherit
                || _spec.StandardError.Kind != RunStdioKind.Inherit
            )
        )
        {
            return NotStarted(
                startedAt,
                "an idle timeout or classification relays the host's own output: the command's standard output "
                    + "and error must then be inherited"
            );
        }

        _stdio = StdioPlumbing.Open(_spec, out var stdioProblem);
        if (_stdio is null)
        {
            return NotStarted(startedAt, stdioProblem!);
        }

        var stdio = new List<(int, int)>(_stdio.Redirects);
        if (relayed)
        {
            _relay = OutputRelay.Create(keepErrorTail: true);
            stdio.AddRange(_relay.ChildRedirects);
        }

        _shim = ShimProcess.Start(
            shimCommand,
            new ShimStart
            {
                // A direct `docker run` gets the run's label, so its container is known as the run's at the end.
                Command = _containerApi is null
                    ? _spec.Command
                    : Rein.Containers.ContainerCommand.Labelled(_spec.Command, _spec.RunId),
                Environment = ChildEnvironment.For(_spec),
                NewSession = !_spec.Foreground,
                // The signal rein stops the run with must reach the command, as coreutils' timeout resets it
                // (SIGCHLD is reset by the shim itself).
                KeepIgnored = NativePart.IgnoredByCaller() & ~(1UL << (_spec.TimeoutSignal - 1)),
                Marker = _spec.RunId,
                StopSignal = _spec.TimeoutSignal,
                HoldFds = _heldFds,
                Cgroups = _caps?.CgroupDirectories ?? [],
                Stdio = stdio,
                WorkingDirectory = _spec.WorkingDirectory,
            }
        );
        _relay?.CloseChildEnds();
        _stdio.Started();

        // Wait for the exec (a command on a hung filesystem may take long: stay responsive to signals meanwhile).
        while (_shim.RootPid == 0 && _shim.SpawnErrno is null && !_shim.Closed)
        {
            Pump(100);
        }

        if (_shim.SpawnErrno is { } errno || _shim.RootPid == 0)
        {
            var failure = _shim.SpawnErrno is { } e
                ? new SpawnFailure(e, PosixSpawner.Describe(_spec.Command[0], e))
                : throw new InvalidOperationException(
                    "the shim exited before starting the command"
                );
            return Finish(
                new RunVerdict
                {
                    RunId = _spec.RunId,
                    Outcome = RunOutcome.StartFailed,
                    StartFailure = failure,
                    Duration = _watch.Elapsed,
                    StartedAt = startedAt,
                }
            );
        }

        return null;
    }

    /// <summary>The run did not start for want of what it was given (its standard streams): 125, with why.</summary>
    RunVerdict NotStarted(DateTimeOffset startedAt, string why) =>
        Finish(
            new RunVerdict
            {
                RunId = _spec.RunId,
                Outcome = RunOutcome.StartFailed,
                StartFailure = new SpawnFailure(0, why) { Code = ExitCodes.ReinFailed },
                Duration = _watch.Elapsed,
                StartedAt = startedAt,
            }
        );
}
