using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Wharf.Storage.Diagnostics;
using Wharf.Storage.FileSystem;
using Wharf.Storage.Tests.Support;

namespace Wharf.Storage.Tests;

/// <summary>
/// The meter and activity source are static and process-wide, and other tests run at the same time: every
/// assertion here looks only at measurements and activities tagged with this test's unique storage name.
/// </summary>
[TestClass]
public sealed class TelemetryTests
{
    private const string DurationInstrument = "wharf.storage.operation.duration";
    private const string BytesInstrument = "wharf.storage.bytes";
    private const string CollisionsInstrument = "wharf.storage.name.collisions";

    private TempFolder _folder = null!;

    [TestInitialize]
    public void Initialize() => _folder = new TempFolder();

    [TestCleanup]
    public void Cleanup() => _folder.Dispose();

    [TestMethod]
    public void The_source_name_is_Wharf_Storage()
    {
        Assert.AreEqual("Wharf.Storage", StorageDiagnostics.SourceName);
    }

    [TestMethod]
    public async Task A_save_records_its_duration_and_bytes()
    {
        string name = Storages.UniqueName("telemetry");
        using var recorder = new MeasurementRecorder(name);
        using FileSystemStorage storage = Storages.Create(_folder, name: name);

        await storage.SaveBytesAsync("a.bin", new byte[1234]);

        Measurement duration = recorder.Single(DurationInstrument, "save");
        Assert.IsInstanceOfType<double>(duration.Value);
        Assert.IsGreaterThanOrEqualTo(0.0, (double)duration.Value);
        Assert.AreEqual("FileSystem", duration.Tags["wharf.storage.backend"]);
        Assert.IsFalse(duration.Tags.ContainsKey("error.type"));

        Measurement bytes = recorder.Single(BytesInstrument, "save");
        Assert.AreEqual(1234L, bytes.Value);
        Assert.AreEqual("write", bytes.Tags["wharf.storage.direction"]);
    }

    [TestMethod]
    public async Task Reading_records_the_bytes_read()
    {
        string name = Storages.UniqueName("telemetry");
        using FileSystemStorage storage = Storages.Create(_folder, name: name);
        await storage.SaveBytesAsync("a.bin", new byte[500]);
        using var recorder = new MeasurementRecorder(name);

        byte[] read = await storage.ReadAllBytesAsync("a.bin");

        Assert.HasCount(500, read);
        recorder.Single(DurationInstrument, "open");
        long total = recorder.All(BytesInstrument, "open").Sum(m => (long)m.Value);
        Assert.AreEqual(500L, total);
        Assert.IsTrue(recorder.All(BytesInstrument, "open").All(m => (string?)m.Tags["wharf.storage.direction"] == "read"));
    }

    [TestMethod]
    public async Task A_taken_name_counts_a_collision()
    {
        string name = Storages.UniqueName("telemetry");
        using FileSystemStorage storage = Storages.Create(_folder, name: name);
        await storage.SaveTextAsync("a.txt", "1");
        using var recorder = new MeasurementRecorder(name);

        await storage.SaveTextAsync("a.txt", "2");

        Assert.AreEqual(1L, recorder.Single(CollisionsInstrument, "save").Value);
    }

    [TestMethod]
    public async Task A_failed_open_records_the_error_type()
    {
        string name = Storages.UniqueName("telemetry");
        using var recorder = new MeasurementRecorder(name);
        using FileSystemStorage storage = Storages.Create(_folder, name: name);

        await Assert.ThrowsExactlyAsync<ObjectNotFoundException>(() => storage.OpenReadAsync("missing.txt").AsTask());

        Measurement duration = recorder.Single(DurationInstrument, "open");
        Assert.AreEqual("ObjectNotFoundException", duration.Tags["error.type"]);
        Assert.IsEmpty(recorder.All(BytesInstrument, "open"));
    }

    [TestMethod]
    public async Task An_invalid_name_records_the_error_type()
    {
        string name = Storages.UniqueName("telemetry");
        using var recorder = new MeasurementRecorder(name);
        using FileSystemStorage storage = Storages.Create(_folder, name: name);

        await Assert.ThrowsExactlyAsync<InvalidObjectNameException>(() => storage.SaveTextAsync("../x", "x").AsTask());

        Assert.AreEqual("InvalidObjectNameException", recorder.Single(DurationInstrument, "save").Tags["error.type"]);
    }

    [TestMethod]
    public async Task A_save_is_traced_as_an_activity()
    {
        string name = Storages.UniqueName("telemetry");
        using var recorder = new ActivityRecorder(name);
        using FileSystemStorage storage = Storages.Create(_folder, name: name);

        await storage.SaveTextAsync("docs/a.txt", "x");

        Activity activity = recorder.Single();
        Assert.AreEqual("save", activity.OperationName);
        Assert.AreEqual(StorageDiagnostics.SourceName, activity.Source.Name);
        Assert.AreEqual(name, activity.GetTagItem("wharf.storage.name"));
        Assert.AreEqual("FileSystem", activity.GetTagItem("wharf.storage.backend"));
        Assert.AreEqual("docs/a.txt", activity.GetTagItem("wharf.storage.object"));
        Assert.AreEqual(ActivityStatusCode.Unset, activity.Status);
    }

    [TestMethod]
    public async Task A_failed_open_is_traced_as_an_error()
    {
        string name = Storages.UniqueName("telemetry");
        using var recorder = new ActivityRecorder(name);
        using FileSystemStorage storage = Storages.Create(_folder, name: name);

        await Assert.ThrowsExactlyAsync<ObjectNotFoundException>(() => storage.OpenReadAsync("missing.txt").AsTask());

        Activity activity = recorder.Single();
        Assert.AreEqual("open", activity.OperationName);
        Assert.AreEqual(ActivityStatusCode.Error, activity.Status);
        Assert.AreEqual("ObjectNotFoundException", activity.GetTagItem("error.type"));
        Assert.Contains("missing.txt", activity.StatusDescription!);
    }

    private sealed record Measurement(string Instrument, object Value, IReadOnlyDictionary<string, object?> Tags);

    /// <summary>Records the Wharf.Storage measurements of one storage.</summary>
    private sealed class MeasurementRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<Measurement> _measurements = new();
        private readonly string _storageName;

        public MeasurementRecorder(string storageName)
        {
            _storageName = storageName;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == StorageDiagnostics.SourceName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
            _listener.Start();
        }

        public List<Measurement> All(string instrument, string operation) =>
            _measurements.Where(m => m.Instrument == instrument && (string?)m.Tags["wharf.storage.operation"] == operation).ToList();

        public Measurement Single(string instrument, string operation)
        {
            List<Measurement> found = All(instrument, operation);
            Assert.HasCount(1, found, $"{instrument} for {operation}: {found.Count} measurements");
            return found[0];
        }

        public void Dispose() => _listener.Dispose();

        private void Record(Instrument instrument, object value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var dictionary = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                dictionary[tag.Key] = tag.Value;
            }

            if (dictionary.TryGetValue("wharf.storage.name", out object? storage) && (string?)storage == _storageName)
            {
                _measurements.Enqueue(new Measurement(instrument.Name, value, dictionary));
            }
        }
    }

    /// <summary>Records the stopped Wharf.Storage activities of one storage.</summary>
    private sealed class ActivityRecorder : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Activity> _activities = new();

        public ActivityRecorder(string storageName)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == StorageDiagnostics.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    if ((string?)activity.GetTagItem("wharf.storage.name") == storageName)
                    {
                        _activities.Enqueue(activity);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public Activity Single()
        {
            Assert.HasCount(1, _activities, string.Join(", ", _activities.Select(a => a.OperationName)));
            return _activities.Single();
        }

        public void Dispose() => _listener.Dispose();
    }
}
