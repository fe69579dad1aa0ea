#!/usr/bin/env node
import "../dist/agw.js";
