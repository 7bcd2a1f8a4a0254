using Azure.Messaging.ServiceBus;
using Persisters.Transports.AzureServiceBus.Transport;

namespace Persisters.Transports.AzureServiceBus.Tests;

/// <summary>The send queue against a fake sender (the SDK's mocking surface): no server needed.</summary>
public sealed class When_sends_are_batched
{
    /// <summary>A sender whose batches hold messages up to <paramref name="limit"/> bytes of body, and which records every batch it sends.</summary>
    private sealed class RecordingSender(long limit, TimeSpan sendTime) : ServiceBusSender
    {
        private readonly Dictionary<ServiceBusMessageBatch, List<ServiceBusMessage>> _stores = [];
        public List<List<ServiceBusMessage>> Sent { get; } = [];

        public override string EntityPath => "scope/orders";

        public override ValueTask<ServiceBusMessageBatch> CreateMessageBatchAsync(CancellationToken cancellationToken = default)
        {
            var store = new List<ServiceBusMessage>();
            long used = 0;
            var batch = ServiceBusModelFactory.ServiceBusMessageBatch(limit, store, new CreateMessageBatchOptions { MaxSizeInBytes = limit }, m =>
            {
                var size = m.Body.ToMemory().Length;
                if (used + size > limit)
                    return false;
                used += size;
                return true;
            });
            lock (_stores)
                _stores[batch] = store;
            return ValueTask.FromResult(batch);
        }

        public override async Task SendMessagesAsync(ServiceBusMessageBatch messageBatch, CancellationToken cancellationToken = default)
        {
            await Task.Delay(sendTime, cancellationToken);
            lock (_stores)
                Sent.Add(_stores[messageBatch].ToList());
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static ServiceBusMessage Message(int number, int size) =>
        new(new byte[size]) { MessageId = number.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Fact]
    public async Task Concurrent_sends_go_out_in_few_batches_each_within_the_size_limit()
    {
        var sender = new RecordingSender(limit: 1000, sendTime: TimeSpan.FromMilliseconds(50));
        await using var queue = new ServiceBusSendQueue(sender, new Uri("sb://ns/scope/orders"));

        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => queue.Send(Message(i, 300), CancellationToken.None)));

        var sent = sender.Sent.ToList();
        Assert.Equal(Enumerable.Range(0, 30).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(),
            sent.SelectMany(b => b).Select(m => m.MessageId).Order());
        Assert.All(sent, batch => Assert.InRange(batch.Sum(m => m.Body.ToMemory().Length), 300, 1000));
        Assert.True(sent.Count <= 15, $"{sent.Count} batches for 30 messages of which 3 fit one");
    }

    [Fact]
    public async Task A_lone_send_goes_out_at_once_in_its_own_batch()
    {
        var sender = new RecordingSender(limit: 1000, sendTime: TimeSpan.Zero);
        await using var queue = new ServiceBusSendQueue(sender, new Uri("sb://ns/scope/orders"));

        await queue.Send(Message(1, 10), CancellationToken.None);

        Assert.Equal("1", Assert.Single(Assert.Single(sender.Sent)).MessageId);
    }

    [Fact]
    public async Task A_message_larger_than_an_empty_batch_is_refused_naming_entity_size_and_limit_and_the_others_go_out()
    {
        var sender = new RecordingSender(limit: 1000, sendTime: TimeSpan.FromMilliseconds(20));
        await using var queue = new ServiceBusSendQueue(sender, new Uri("sb://ns/scope/orders"));

        var small = queue.Send(Message(1, 100), CancellationToken.None);
        var large = queue.Send(Message(2, 5000), CancellationToken.None);
        var after = queue.Send(Message(3, 100), CancellationToken.None);

        var refused = await Assert.ThrowsAsync<ServiceBusMessageTooLargeException>(() => large);
        Assert.Equal("scope/orders", refused.EntityPath);
        Assert.Equal(1000, refused.Limit);
        Assert.InRange(refused.Size, 5000, 5200);
        Assert.Contains("'scope/orders'", refused.Message);
        Assert.Contains("1000 bytes", refused.Message);
        await small;
        await after;
        Assert.Equal(["1", "3"], sender.Sent.SelectMany(b => b).Select(m => m.MessageId).Order().ToArray());
    }
}
