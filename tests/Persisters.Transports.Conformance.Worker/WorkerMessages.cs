namespace Persisters.Transports.Conformance.Messages;

// Shared with the test project (linked source): the same type name gives the same message URN in both processes.

/// <summary>A job the worker starts and never finishes (it hangs until the process is killed).</summary>
public sealed record HangingJob(Guid Id);
