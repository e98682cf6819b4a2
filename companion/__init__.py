"""companion: the small, tested code behind the course on convolutional neural networks.

The names the pages use are importable from here (``companion.corr2d``); the pages
themselves import each from the module that holds it (``from companion.conv import
corr2d``), so that the reader learns where it lives. The argument checks (rules and
guards) and the figures (``companion.diagrams``, ``companion.charts``) stay in their modules.
"""
from .conv import Conv2D, conv2d_flip, corr2d, corr2d_fast
from .channels import corr2d_multi_in, corr2d_multi_in_out, corr2d_multi_in_out_1x1
from .pooling import pool2d, pool2d_multi
from .shapes import (comp_conv2d, conv_output_shape, conv_output_size, conv_transpose2d, insert_zeros,
                     mirror_pad2d, pad2d)
from .data import class_names, fashion_mnist_batches, load_fashion_mnist
from .params import (ConvCost, ConvMemory, ConvOps, PoolCost, conv2d_backward_macs, conv2d_cost, conv2d_memory,
                     conv2d_ops, conv_macs, conv_params, cost_table, fc_macs, fc_params, human_bytes, param_bytes,
                     pool2d_cost)
from .invariance import (conv_as_fc_matrix, equivariance_error, influence_map, interior_mask, open_paths,
                         receptive_field, receptive_field_size, relative_change, shift2d)
from .models import LeNet, init_xavier, layer_summary
from .training import History, confusion_matrix, evaluate_accuracy, predict, train, train_epoch
from .utils import seed_everything

__all__ = ["Conv2D", "conv2d_flip", "corr2d", "corr2d_fast",
           "corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1",
           "pool2d", "pool2d_multi",
           "comp_conv2d", "conv_output_shape", "conv_output_size", "conv_transpose2d", "insert_zeros",
           "mirror_pad2d", "pad2d",
           "class_names", "fashion_mnist_batches", "load_fashion_mnist",
           "ConvCost", "ConvMemory", "ConvOps", "PoolCost", "conv2d_backward_macs", "conv2d_cost",
           "conv2d_memory", "conv2d_ops", "conv_macs", "conv_params", "cost_table", "fc_macs", "fc_params",
           "human_bytes", "param_bytes", "pool2d_cost",
           "conv_as_fc_matrix", "equivariance_error", "influence_map", "interior_mask", "open_paths",
           "receptive_field", "receptive_field_size", "relative_change", "shift2d",
           "LeNet", "init_xavier", "layer_summary",
           "History", "confusion_matrix", "evaluate_accuracy", "predict", "train", "train_epoch",
           "seed_everything"]
