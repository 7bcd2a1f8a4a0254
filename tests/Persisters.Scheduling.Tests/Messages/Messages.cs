namespace Persisters.Scheduling.Tests.Messages;

public record Reminder(Guid Id, string Text);

public record Tick(string Name);

public record Kick(Guid Id);

public record Work(Guid Id);
