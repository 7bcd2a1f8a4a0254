using MassTransit;

namespace Persisters.Tests.Support;

/// <summary>Counts every finished consumption (success or fault) of each message, per receiving endpoint.</summary>
public sealed class ConsumeCounter : IConsumeObserver
{
    private readonly Dictionary<Type, int> _counts = [];

    public int Count<T>()
    {
        lock (_counts) return _counts.GetValueOrDefault(typeof(T));
    }

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class => Add<T>();

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Add<T>();

    private Task Add<T>()
    {
        lock (_counts) _counts[typeof(T)] = _counts.GetValueOrDefault(typeof(T)) + 1;
        return Task.CompletedTask;
    }
}
