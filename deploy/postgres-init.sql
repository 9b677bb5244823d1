-- The Stagecoach control database lives beside Temporal's own.
CREATE DATABASE stagecoach;
