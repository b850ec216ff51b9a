# CTest's COST of the suite's longest tests, so that `ctest -j` starts them
# first even in a clean clone, which has no Testing/Temporary/CTestCostData.txt
# (docs/design.md#test-tiers): started last, one of them alone on one core
# stretches the run's end by up to its whole length. Included by CTest after
# tests/sim's tests are defined (tests/sim/CMakeLists.txt); names not defined
# in this tree are ignored. Values: seconds on the idle 2-core machine; only
# their order matters. BAO_SANITIZE is set by the including file.
if(BAO_SANITIZE)
  # Debug + ASan + UBSan; seconds with sim/cache and sim/cpu still at -O0 (at
  # -O1 each takes about a third, in the same order).
  set(_costs
    sim.Scenarios.QsortSmallOrderingAndColoredL2Misses 71
    sim.Hostile.AttackerStopsOnlyItselfAndTheVictimIsUnchanged 42
    sim.InterruptLatency.InterferenceRaisesItAndColoringHvLowersIt 39
    sim.Checkpoint.SoloRoundTripAtTheMarkMatchesTheUninterruptedRun 20
    sim.FastForward.ToTheMarkRunsTheSameRegionWithTheModelOn 20
    sim.RiscvHv.InterfColRunsQsortColoredAndDeterministic 18
    sim.Progress.SilentWhenStderrIsNotATerminal 11
    sim.Checkpoint.InterferenceRoundTripMatchesTheUninterruptedRun 10
    sim.FastForward.InstructionPointThenWarmUpDropsTheMarksBefore 8
    sim.QsortVertices.VerifiesAndSortsAsTheLinuxProgram 8
    sim.Timing.QuantaAreNotOverrun 7)
else()
  set(_costs
    reproduce.Reproduce.QuickRunHasEveryTableAndThePapersOrderings 57
    linux.LinuxSim.SoloRunsQsortToPowerOffTwiceIdenticallyAndRestoresAtTheMark 40
    linux.LinuxSim.SoloSmpRunsQsortToPowerOff 23
    linux.LinuxBootOnce.RestoredWithTheJobTypedEndsAsTheUninterruptedRun 21
    linux.LinuxSim.SoloSmpBootGivesTheSameStatisticsOnOneAndTwoHostThreads 20
    calibrate.Calibrate.QuickRunWritesTheTableAndEveryError 17
    linux.LinuxSim.NativeRunsQsortToPowerOff 15
    fuzz.hv_short 12
    linux.LinuxCheckpoint.FastForwardedBootRunsTheSameBenchmark 10
    sim.Scenarios.QsortSmallOrderingAndColoredL2Misses 8
    linux.LinuxSim.PanicStopsTheRunWithThePanicLine 8)
endif()
while(_costs)
  list(POP_FRONT _costs _name _cost)
  set_tests_properties(${_name} PROPERTIES COST ${_cost})
endwhile()
