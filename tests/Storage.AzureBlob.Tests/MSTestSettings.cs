// One shared Azurite; the large-object tests measure process-wide allocation.
[assembly: Microsoft.VisualStudio.TestTools.UnitTesting.DoNotParallelize]
