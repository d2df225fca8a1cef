// One shared S3 server; the large-object test measures process-wide allocation.
[assembly: Microsoft.VisualStudio.TestTools.UnitTesting.DoNotParallelize]
